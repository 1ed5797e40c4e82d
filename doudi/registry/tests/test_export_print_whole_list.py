"""Exports that add up and print that prints the whole list (issue 13): the register export
says what it is (title, unit, filters in words, as-of date, 制表人), lists the benefit
amounts as numbers with two decimals and a 合计 row that equals the page's total; `?print=1`
renders every row of the filtered list (130 of 130, not the 50 on screen), capped with a
message that points to the export."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from doudi.core import exports, idnumber
from doudi.registry.models import Benefit, Household, Person

pytestmark = pytest.mark.django_db


def _households(n: int, village: str, prefix: str) -> Decimal:
    total = Decimal(0)
    for i in range(n):
        household = Household.objects.create(code=f"{prefix}{i:04d}", region_id=village, hukou="rural", address=f"{i}号")
        number = idnumber.with_check_digit(f"{village[:6]}{1960 + len(prefix) + ord(prefix[0]) % 20}0101{i:03d}")
        Person.objects.create(
            household=household,
            name=f"户主{prefix}{i}",
            id_number=number,
            sex="M",
            birth_date=dt.date(1960, 1, 1 + i % 10),
            relation="head",
        )
        amount = Decimal("300.15") + i
        Benefit.objects.create(household=household, category="dibao", since=dt.date(2024, 1, 1), monthly_amount=amount)
        total += amount
    return total


@pytest.fixture
def clerk(users):
    client = Client()
    client.force_login(users["clerk_a"])
    return client


def test_register_export_has_meta_amounts_and_a_total_that_match_the_page(clerk, users):
    total = _households(130, VILLAGE_A1, "A")
    _households(3, VILLAGE_B1, "B")  # another township: neither on the page nor in the export
    page = clerk.get(reverse("household_list"), {"region": TOWNSHIP_A}).content.decode()
    assert "共 130 户" in page
    response = clerk.get(reverse("household_list"), {"region": TOWNSHIP_A, "export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    title_row = [c.value for c in sheet[1] if c.value]
    assert title_row[0] == "家庭台账"
    meta = title_row[1]
    for word in (
        "单位：户",
        "龙港镇（全镇）",
        f"截至：{dt.date.today().isoformat()}",
        f"制表人：{users['clerk_a'].display_name()}",
    ):
        assert word in meta, (word, meta)
    headers = [c.value for c in sheet[2]]
    col = headers.index("月保障金额（元）")
    body = list(sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1))
    assert len(body) == 130 and all(r[0].value.startswith("A") for r in body)
    amounts = [r[col] for r in body]
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in amounts)
    assert Decimal(str(round(sum(c.value for c in amounts), 2))) == total
    last = sheet[sheet.max_row]
    assert last[0].value == "合计" and Decimal(str(round(last[col].value, 2))) == total
    assert last[headers.index("人数")].value == 130  # one person a household


def test_print_renders_every_row_of_the_filtered_list(clerk, users, monkeypatch):
    _households(130, VILLAGE_A1, "A")
    screen = clerk.get(reverse("household_list")).content.decode()
    assert screen.count('data-label="户编号"') == 50 and "print=1" in screen
    printed = clerk.get(reverse("household_list"), {"print": "1"}).content.decode()
    assert printed.count('data-label="户编号"') == 130
    assert 'class="pager"' not in printed and "data-print" in printed and "家庭台账" in printed
    assert f"制表人：{users['clerk_a'].display_name()}" in printed and "单位：户" in printed and "共 130 户" in printed
    monkeypatch.setattr(exports, "PRINT_CAP", 100)
    capped = clerk.get(reverse("household_list"), {"print": "1"}).content.decode()
    assert capped.count('data-label="户编号"') == 100 and 'id="print-capped"' in capped and "导出 Excel" in capped


def test_holder_mask_shows_household_codes_and_masks_id_numbers():
    number = idnumber.with_check_digit("14052119600101001")
    assert exports.MASKED.holder(number) == idnumber.mask(number)
    for code in ("H140521100201-0001", "H140521100201-0002", "140521100201000123", "HH001"):
        assert exports.MASKED.holder(code) == code
    assert exports.MASKED.holder("") == ""


def test_export_meta_line_and_skipped_columns(tmp_path):
    meta = exports.ExportMeta(
        unit="元", filters=[("乡镇", "龙港镇"), ("状态", "")], as_of=dt.date(2026, 5, 1), skip=("标准（元）",), sums=("人数",)
    )
    assert meta.line() == "单位：元　范围：乡镇：龙港镇　截至：2026-05-01"
    target = tmp_path / "x.xlsx"
    exports.write_xlsx(
        target,
        "名单",
        ["乡镇", "标准（元）", "人数", "金额（元）"],
        [["甲", Decimal("300"), 2, Decimal("600.50")], ["乙", Decimal("300"), 3, Decimal("900.25")]],
        meta,
    )
    rows = [[c.value for c in r] for r in load_workbook(target).active.iter_rows()]
    assert rows[1] == ["乡镇", "标准（元）", "人数", "金额（元）"]
    assert rows[-1] == ["合计", None, 5, pytest.approx(1500.75)]
