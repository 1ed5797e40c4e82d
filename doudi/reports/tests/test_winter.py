"""附件2 figures against records made in the test, as of the week's end; the .xlsx opened
with openpyxl: every figure, the merged header cells of 附件2, the form's text and the page."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, person_id
from doudi.core.models import Region
from doudi.reports import periods, selectors, services, winter, xlsx
from doudi.reports.tests.conftest import EXPECTED, WEEK

pytestmark = pytest.mark.django_db
KEYS = ("dibao", "tekun", "elderly", "children", "other", "assist_times", "amount_yuan", "found", "solved")


def _table():
    return services.report_compute(kind="winter-weekly", period=WEEK, region_code=COUNTY)


def test_every_figure_per_township_and_total(winter_county):
    data = _table()
    assert (data["first"], data["last"]) == ("2025-01-06", "2025-01-12")
    rows = {row["code"]: row for row in data["rows"]}
    assert [r["name"] for r in data["rows"]] == ["龙港镇", "中村镇"]
    for code, expected in EXPECTED.items():
        assert {k: rows[code][k] for k in KEYS} == expected, code
    total = data["total"]
    assert total["name"] == "合计"
    for key in KEYS:
        if key != "amount_yuan":
            assert total[key] == EXPECTED[TOWNSHIP_A][key] + EXPECTED[TOWNSHIP_B][key]
    assert total["amount_yuan"] == "4500.50" and total["amount_wan"] == "0.4501"  # 4500.50 元, half up
    assert total["inkind_times"] == 0 and total["inkind_kinds"] == "" and not data["pending"]


def test_township_table_has_its_own_row(winter_county):
    data = services.report_compute(kind="winter-weekly", period=WEEK, region_code=TOWNSHIP_B)
    assert [r["code"] for r in data["rows"]] == [TOWNSHIP_B]
    assert {k: data["total"][k] for k in KEYS} == EXPECTED[TOWNSHIP_B]


def test_lists_behind_figures_match_counts(winter_county):
    week = periods.parse_week(WEEK)
    region = winter.region_get(TOWNSHIP_A)
    names = sorted(p.name for p in winter.persons("children", region.code, week.last))
    assert names == ["孤儿"]  # benefit and flag: once; the 留守儿童 not at all
    assert sorted(p.name for p in winter.persons("other", region.code, week.last)) == ["孤儿", "孤儿奶奶", "边缘妻", "边缘户主"]
    assert sorted(e.recipient_name for e in winter.draws(region.code, week)) == ["乙", "甲"]


def test_xlsx_laid_out_like_the_form_with_every_figure(winter_county, tmp_path):
    path = tmp_path / "w.xlsx"
    services.report_write(path, _table())
    sheet = load_workbook(path).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:L1", "A4:A5", "B4:B5", "H4:H5", "I4:J4", "K4:K5", "L4:L5"} <= merged
    assert sheet["A1"].value == "保障困难群众温暖过冬情况统计表"
    assert sheet["A2"].value == "单位：沁水县（盖章）" and sheet["H2"].value.startswith("日期：")
    headers = [sheet.cell(row=4, column=c).value for c in range(1, 13)]
    assert headers == [
        "单位",
        "低保（人）",
        "特困对象（人）",
        "特殊困难老年人（人）",
        "困境儿童（人）",
        "其他困难群众（人）",
        "救助人次（人次）",
        "支出金额（万元）",
        "其他救助方式",
        None,
        "走访排查发现急难愁盼问题数",
        "走访排查解决急难愁盼问题数",
    ]
    assert (sheet["I5"].value, sheet["J5"].value) == ("救助方式", "救助人次")
    for row, code in ((6, TOWNSHIP_A), (7, TOWNSHIP_B)):
        e = EXPECTED[code]
        cells = [sheet.cell(row=row, column=c).value for c in range(1, 13)]
        assert cells == [
            {TOWNSHIP_A: "龙港镇", TOWNSHIP_B: "中村镇"}[code],
            e["dibao"],
            e["tekun"],
            e["elderly"],
            e["children"],
            e["other"],
            e["assist_times"],
            float((Decimal(e["amount_yuan"]) / 10000).quantize(Decimal("0.0001"), ROUND_HALF_UP)),
            None,
            0,
            e["found"],
            e["solved"],
        ]
    total = [sheet.cell(row=8, column=c).value for c in range(1, 13)]
    assert total == ["合计", 4, 1, 1, 1, 4, 2, 0.4501, None, 0, 3, 2]
    assert all(isinstance(v, (int, float)) for v in total[1:8]) and sheet["H8"].number_format == "0.0000"
    texts = [sheet.cell(row=r, column=1).value for r in range(9, sheet.max_row + 1)]
    assert "填报人：" in texts and sheet["G10"].value == "联系电话："
    assert texts[-3:] == xlsx.NOTES and "此表每周三报回" in texts[-3]
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_period_not_ended_or_malformed_is_refused(winter_county):
    this_week = periods.week_of(timezone.localdate())
    with pytest.raises(periods.PeriodError, match="尚未结束"):
        services.report_compute(kind="winter-weekly", period=this_week.code, region_code=COUNTY)
    for bad in ("2025-49", "2025W02", "2025-W54", ""):
        with pytest.raises(periods.PeriodError, match="格式不对|不存在"):
            services.report_compute(kind="winter-weekly", period=bad, region_code=COUNTY)
    with pytest.raises(winter.ReportError, match="不存在"):
        services.report_compute(kind="winter-weekly", period=WEEK, region_code="999999")
    with pytest.raises(winter.ReportError, match="村（社区）"):
        services.report_compute(kind="winter-weekly", period=WEEK, region_code="140521100201")


def test_due_date_and_season():
    week = periods.parse_week("2026-W49")
    assert (week.first, week.last, week.due) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6), dt.date(2026, 12, 9))
    season = periods.season_weeks(dt.date(2026, 12, 2))
    assert season[0].code == "2026-W47" and season[-1].code == "2027-W11"  # 20 Nov (Fri) … 15 Mar 2027 (a Monday)


def test_in_kind_hand_outs_of_the_week_are_other_assistance(winter_county, users):
    """其他救助方式 counts the week's hand-outs of the five kinds the table names, one
    person-time per kind per person (doudi.services goods); other kinds and weeks are not counted."""
    from doudi.services import goods

    clerk = users["admin"]
    for kind in ("stove", "quilt", "rice"):
        goods.goods_receive(
            user=clerk,
            data={"township": TOWNSHIP_A, "kind": kind, "quantity": "10", "on": "2025-01-06", "source": "县民政局调拨"},
        )
    hand_outs = [
        ("stove", "2025-01-07", "11"),
        ("quilt", "2025-01-07", "11"),
        ("stove", "2025-01-08", "12"),
        ("rice", "2025-01-08", "12"),
        ("stove", "2025-01-13", "13"),
    ]  # rice: not a table kind; the 13th: next week
    for kind, on, seq in hand_outs:
        goods.goods_issue(
            user=clerk,
            data={
                "township": TOWNSHIP_A,
                "kind": kind,
                "quantity": "1",
                "on": on,
                "id_number": person_id(COUNTY, "19600101", int(seq)),
                "name": f"领取人{seq}",
            },
        )
    data = _table()
    row = {r["code"]: r for r in data["rows"]}[TOWNSHIP_A]
    assert row["inkind_times"] == 3 and row["inkind_kinds"] == "取暖炉具、棉被"
    assert data["total"]["inkind_times"] == 3
    what, rows = selectors.drill("inkind_times", Region.objects.get(code=TOWNSHIP_A), periods.parse_week(WEEK))
    assert what == "goods" and len(rows) == 3
