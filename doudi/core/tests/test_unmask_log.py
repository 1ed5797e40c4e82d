"""The log of unmasked ID numbers and bank accounts (issue 12 B): for the county administrator
and the supervisor, scoped to their region, filtered by user, reason, ID tail and dates,
masked on the page, in print and in the export. UnmaskLog records who, whose, which field,
when, the address and why (a reason is required: core/unmasking.py)."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from doudi.core import idnumber
from doudi.core.models import AuditEntry, Region, UnmaskLog
from doudi.core.roles import Role
from doudi.core.services import user_create

ZHANG = idnumber.with_check_digit("14052119500312001")
WANG = idnumber.with_check_digit("14052119800505013")
FAR = idnumber.with_check_digit("14052219700101021")


@pytest.fixture
def logs(users):
    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    far_clerk = user_create(username="clerk_y", password="pass-clerk_y", role=Role.COUNTY_STAFF, region_code="140522")
    made = [
        UnmaskLog.objects.create(
            user=users["clerk_a"],
            role=Role.TOWNSHIP_CLERK,
            person_id_number=ZHANG,
            field="id_number",
            ip="10.0.0.1",
            reason="other",
            note=f"复核 {WANG} 的申请",
        ),
        UnmaskLog.objects.create(
            user=users["finance"], role=Role.FINANCE, person_id_number=WANG, field="bank_account", reason="bank"
        ),
        UnmaskLog.objects.create(
            user=far_clerk, role=Role.COUNTY_STAFF, person_id_number=FAR, field="id_number", reason="identity"
        ),
    ]
    UnmaskLog.objects.filter(pk=made[1].pk).update(at=timezone.now() - timedelta(days=40))
    return made


def page_text(client, **params):
    """The page without its filter form (whose 查看人 list names every viewer)."""
    response = client.get(reverse("unmask_log"), params)
    assert response.status_code == 200
    return re.sub(r'<form [^>]*id="unmask-filters".*?</form>', "", response.content.decode(), flags=re.S)


@pytest.mark.parametrize("viewer", ["admin", "supervisor"])
def test_admin_and_supervisor_see_their_countys_unmaskings_masked(client, users, logs, viewer):
    client.force_login(users[viewer])
    text = page_text(client)
    assert "clerk_a" in text and "finance" in text and "clerk_y" not in text
    assert ZHANG not in text and WANG not in text and FAR not in text and FAR[-4:] not in text
    assert idnumber.mask(ZHANG) in text and "10.0.0.1" in text and "身份证号" in text and "银行账号" in text
    assert "银行代发核对" in text and "复核" in text and idnumber.mask(WANG) in text  # the note's numbers masked too


@pytest.mark.parametrize("name", ["staff", "clerk_a", "helper_a1", "finance", "uploader"])
def test_other_roles_are_refused(client, users, logs, name):
    client.force_login(users[name])
    assert client.get(reverse("unmask_log")).status_code == 403
    assert client.get(reverse("unmask_log"), {"export": "xlsx"}).status_code == 403


def test_township_supervisor_sees_only_their_township(client, users, logs):
    client.force_login(user_create(username="sup_a", password="pass-sup_a", role=Role.SUPERVISOR, region_code="140521100"))
    text = page_text(client)
    assert "clerk_a" in text and "finance" not in text


def test_search_by_user_id_tail_and_date(client, users, logs):
    client.force_login(users["supervisor"])
    text = page_text(client, q=ZHANG[-4:])
    assert "clerk_a" in text and "finance（finance）" not in text
    text = page_text(client, q="financ")
    assert "finance（finance）" in text and "clerk_a" not in text
    today = timezone.localdate().isoformat()
    text = page_text(client, since=today)
    assert "clerk_a" in text and "finance（finance）" not in text
    text = page_text(client, until=(timezone.localdate() - timedelta(days=30)).isoformat())
    assert "finance（finance）" in text and "clerk_a（clerk_a）" not in text
    assert "clerk_a" in page_text(client, since="not-a-date")  # a bad date is ignored, not a 500


def test_filter_by_user_and_reason(client, users, logs):
    client.force_login(users["admin"])
    text = page_text(client, user=users["finance"].pk)
    assert "finance（finance）" in text and "clerk_a（clerk_a）" not in text
    text = page_text(client, reason="other")
    assert "clerk_a（clerk_a）" in text and "finance（finance）" not in text
    text = page_text(client, reason="bank", user=users["clerk_a"].pk)
    assert "没有查看记录" in text
    assert "clerk_a（clerk_a）" in page_text(client, reason="nonsense")  # an unknown reason is ignored


def test_print_lists_every_row_with_its_head(client, users, logs):
    for _ in range(60):
        UnmaskLog.objects.create(
            user=users["clerk_a"], role=Role.TOWNSHIP_CLERK, person_id_number=ZHANG, field="id_number", reason="petition"
        )
    client.force_login(users["supervisor"])
    assert page_text(client).count("信访处理</td>") == 50  # one page on screen
    text = page_text(client, print="1", reason="petition")
    assert text.count("信访处理</td>") == 60 and 'id="print-head"' in text and "原因：信访处理" in text
    assert "制表人" in text and ZHANG not in text


def _sheet(response):
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_export_is_masked_and_scoped(client, users, logs):
    client.force_login(users["admin"])
    sheet = _sheet(client.get(reverse("unmask_log"), {"export": "xlsx", "unmasked": "1", "reason": "想看完整号码"}))
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    text = " ".join(cells)
    assert ZHANG not in text and WANG not in text and FAR not in text
    assert idnumber.mask(ZHANG) in cells and idnumber.mask(WANG) in cells and "clerk_y" not in text
    assert "银行代发核对" in cells and "其他（须说明）" in cells and "原因说明" in cells
    assert not AuditEntry.objects.filter(entity="export").exists()  # nothing full was handed out
    filtered = _sheet(client.get(reverse("unmask_log"), {"export": "xlsx", "reason": "bank"}))
    rows = [r for r in filtered.iter_rows(min_row=3, values_only=True) if any(r)]
    assert [r[2] for r in rows] == ["finance"] and "原因：银行代发核对" in str(filtered["A1"].value) + str(
        filtered.cell(1, 10).value
    )


def test_rows_logged_before_reasons_say_unrecorded(client, users):
    """Migration 0003 gives existing rows the reason （未记录）; the page shows it as such."""
    UnmaskLog.objects.create(
        user=users["clerk_a"], role=Role.TOWNSHIP_CLERK, person_id_number=ZHANG, field="id_number", reason="unrecorded"
    )
    client.force_login(users["admin"])
    assert "（未记录）" in page_text(client) and "clerk_a" in page_text(client, reason="unrecorded")


def test_unmasking_a_person_appears_on_the_log(client, users, small_registry):
    from doudi.registry.models import Person
    from doudi.registry.services import registry_import

    registry_import(paths=[small_registry["folder"]])
    zhang = Person.objects.get(name="张三")
    client.force_login(users["clerk_a"])
    url = reverse("person_unmask", args=[zhang.pk, "id_number"])
    for refused, message in (({}, "请选择"), ({"reason": "other"}, "须写明"), ({"reason": "unrecorded"}, "不在可选范围")):
        response = client.post(url, refused, HTTP_HX_REQUEST="true")
        text = response.content.decode()
        assert response.status_code == 400 and message in text and zhang.id_number not in text, refused
        assert response["HX-Retarget"] == "#id_number-unmask-error"
    assert not UnmaskLog.objects.exists()  # nothing shown, nothing logged
    response = client.post(url, {"reason": "other", "note": "信访件 2026-3 核对"})
    assert response.status_code == 200 and zhang.id_number in response.content.decode()
    log = UnmaskLog.objects.get()
    assert (log.reason, log.note, log.field) == ("other", "信访件 2026-3 核对", "id_number")
    client.force_login(users["supervisor"])
    text = page_text(client)
    assert "clerk_a" in text and idnumber.mask(zhang.id_number) in text and zhang.id_number not in text
    assert "信访件 2026-3 核对" in text


def test_unmasked_exports_are_listed_with_their_reason(client, users, logs):
    AuditEntry.objects.create(
        user=users["staff"],
        role=Role.COUNTY_STAFF,
        action="create",
        entity="export",
        entity_key="案件清单.xlsx",
        reason=f"核对 {ZHANG} 的银行卡",
        changes={"title": "案件清单", "rows": 3, "unmasked": ["id_number"]},
    )
    AuditEntry.objects.create(
        user=users["staff"],
        role=Role.COUNTY_STAFF,
        action="create",
        entity="export",
        entity_key="花名册.xlsx",
        reason="银行代发核对：退票",
        changes={"title": "一卡通代发清单", "rows": 9, "unmasked": ["bank_account"], "reason_kind": "bank"},
    )
    client.force_login(users["supervisor"])
    text = page_text(client)
    assert "案件清单" in text and "核对" in text and ZHANG not in text and "一卡通代发清单" in text
    text = page_text(client, reason="bank")
    assert "一卡通代发清单" in text and "案件清单" not in text
    text = page_text(client, reason="other")  # an older free-text reason counts as 其他
    assert "案件清单" in text and "一卡通代发清单" not in text


def test_menu_entry_for_admin_and_supervisor_only(client, users):
    for name, shown in (("admin", True), ("supervisor", True), ("staff", False), ("clerk_a", False)):
        client.force_login(users[name])
        assert (reverse("unmask_log") in client.get(reverse("home")).content.decode()) is shown, name
