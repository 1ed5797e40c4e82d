"""重庆 元旦春节期间 统计表 (festival): computed from the records as of the reporting date
(2025-01-20: 元旦 to 20 January 2025; 春节 29 January, 元宵 12 February), every figure drills
down, the .xlsx is laid out like a paper form, the command refuses a date not yet ended,
a submission is frozen and corrected as a new version, and the numbers of a past date do
not change when records are added later (reproducible)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, person_id
from doudi.care.models import Visit
from doudi.cases import temp
from doudi.payments import reserve
from doudi.payments.models import PaymentLine, PayrollRun, ReserveEntry, RunTransition
from doudi.registry.models import Benefit, Household, Person
from doudi.reports import festival, services
from doudi.reports.models import ReportVersion
from doudi.reports.periods import PeriodError
from doudi.reports.tests.conftest import _problem, confirm_all
from doudi.services.models.goods import GoodsEntry

pytestmark = pytest.mark.django_db
DAY = "2025-01-20"
OUTSIDER = person_id("140522", "19750305", 2)
_seq = iter(range(300, 999))
EXPECTED = {
    TOWNSHIP_A: {
        "visits": 2,
        "visited": 1,
        "gifts": 1,
        "temp_times": 2,
        "temp_amount": "1300.00",
        "early_people": 2,
        "early_amount": "1800.00",
        "oneoff_people": 0,
        "oneoff_amount": "0.00",
        "price_people": 1,
        "price_amount": "60.00",
        "tekun": 2,
        "tekun_needy": 1,
        "tekun_visited": 1,
    },
    TOWNSHIP_B: {
        "visits": 1,
        "visited": 1,
        "gifts": 0,
        "temp_times": 0,
        "temp_amount": "0.00",
        "early_people": 0,
        "early_amount": "0.00",
        "oneoff_people": 1,
        "oneoff_amount": "500.00",
        "price_people": 0,
        "price_amount": "0.00",
        "tekun": 0,
        "tekun_needy": 0,
        "tekun_visited": 0,
    },
}


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _person(code, village, name, birth, self_care="full"):
    household = Household.objects.create(code=code, region_id=village, hukou="rural", address=f"{code}号")
    return Person.objects.create(
        id_number=person_id(COUNTY, birth, next(_seq)),
        name=name,
        sex="M",
        self_care=self_care,
        birth_date=dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        household=household,
        relation="head",
    )


def _visit(user, person, day, key, entered=None):
    problem = _problem(user, person, day, key)
    Visit.objects.filter(pk=problem.visit_id).update(created_at=_at(entered or day))


def _run(kind, item, period, due, sent, lines, region=COUNTY):
    run = PayrollRun.objects.create(kind=kind, item=item, period=period, through=period, region_id=region, due=due, state="sent")
    for number, (village, amount) in enumerate(lines):
        PaymentLine.objects.create(
            run=run,
            item=item,
            month=period,
            holder_key=f"{item}{number}",
            name=f"对象{number}",
            township=village[:9],
            village=village,
            payee="person",
            amount=amount,
            fund="dibao",
        )
    RunTransition.objects.create(run=run, from_state="approved", to_state="sent")
    RunTransition.objects.filter(run=run).update(at=_at(sent))
    return run


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def festival_county(users):
    people = {
        "老李": _person("F001", VILLAGE_A1, "老李", "19450404", "none"),
        "老王": _person("F002", VILLAGE_A2, "老王", "19470101"),
        "老赵": _person("F003", VILLAGE_B1, "老赵", "19400202"),
        "张三": _person("F004", VILLAGE_B1, "张三", "19600606"),
    }
    for name, mode in (("老李", "dispersed"), ("老王", "dispersed"), ("老赵", "centralized")):
        person = people[name]
        Benefit.objects.create(
            household=person.household,
            person=person,
            person_key=person.id_number,
            category="tekun",
            since=dt.date(2024, 1, 1),
            monthly_amount=800,
            support_mode=mode,
        )
    Benefit.objects.create(household=people["张三"].household, category="dibao", since=dt.date(2024, 1, 1), monthly_amount=500)
    helper, staff = users["helper_a1"], users["staff"]
    _visit(helper, people["老李"], dt.date(2025, 1, 5), "f1")
    _visit(helper, people["老李"], dt.date(2025, 1, 15), "f2")
    _visit(staff, people["老王"], dt.date(2024, 12, 28), "f3")  # before 元旦
    _visit(staff, people["张三"], dt.date(2025, 1, 10), "f4")
    _visit(staff, people["张三"], dt.date(2025, 1, 25), "f5")  # after the reporting date
    _visit(staff, people["老王"], dt.date(2025, 1, 18), "f6", entered=dt.date(2025, 1, 22))  # typed in late
    # Goods handed out: one in the period, one before.
    for day in (dt.date(2025, 1, 9), dt.date(2024, 12, 30)):
        entry = GoodsEntry.objects.create(
            township_id=TOWNSHIP_A,
            kind="rice",
            direction="out",
            quantity=1,
            on=day,
            recipient_name="老李",
            person=people["老李"],
            region_code=VILLAGE_A1,
        )
        GoodsEntry.objects.filter(pk=entry.pk).update(created_at=_at(day))
    # 临时救助: a case paid first from the reserve (counted once, with its case), a direct draw,
    # a draw before 元旦.
    reserve.reserve_allocate(township=TOWNSHIP_A, amount="10000", on=dt.date(2024, 12, 1), ref="石民发", user=staff)
    confirm_all(users["staff2"])
    case = temp.temp_receive(
        user=users["clerk_a"],
        data={
            "id_number": OUTSIDER,
            "name": "外地务工人员",
            "region": VILLAGE_A1,
            "reason": "租住房屋失火",
            "channel": "window",
            "cause": "fire",
            "tier": "general",
            "incident_on": "2025-01-07",
            "hukou_place": "阳城县",
        },
        today=dt.date(2025, 1, 7),
    )
    temp.temp_advance(case=case, user=users["clerk_a"], amount="1000", today=dt.date(2025, 1, 8))
    fields = {"recipient_id_number": OUTSIDER, "cause_type": "emergency", "cause": "火灾"}
    reserve.reserve_draw(
        township=TOWNSHIP_A, amount="300", on=dt.date(2025, 1, 12), recipient_name="乙", user=users["clerk_a"], **fields
    )
    reserve.reserve_draw(
        township=TOWNSHIP_A, amount="700", on=dt.date(2024, 12, 20), recipient_name="丙", user=users["clerk_a"], **fields
    )
    confirm_all(users["staff2"])
    ReserveEntry.objects.update(created_at=_at(dt.date(2025, 1, 12)))
    # Runs: February's 低保 sent on 15 January before its due date (提前发放); January's sent on
    # time (not early); a campaign and a price subsidy sent in the period; one sent after the date.
    _run("regular", "dibao", "2025-02", dt.date(2025, 2, 10), dt.date(2025, 1, 15), [(VILLAGE_A1, "900"), (VILLAGE_A2, "900")])
    _run("regular", "tekun", "2025-01", dt.date(2025, 1, 10), dt.date(2025, 1, 10), [(VILLAGE_A1, "800")])
    _run("campaign", "spring2025", "2025-01", dt.date(2025, 1, 25), dt.date(2025, 1, 16), [(VILLAGE_B1, "500")])
    _run("price_subsidy", "price_subsidy", "2025-01", dt.date(2025, 1, 20), dt.date(2025, 1, 14), [(VILLAGE_A1, "60")])
    _run("price_subsidy", "price_subsidy", "2025-02", dt.date(2025, 2, 20), dt.date(2025, 2, 3), [(VILLAGE_A1, "60")])
    return people


def _table():
    return festival.compute(festival.region_get(COUNTY), festival.parse_day(DAY))


def test_every_figure_from_the_records(festival_county):
    data = _table()
    rows = {row["code"]: row for row in data["rows"]}
    for code, expected in EXPECTED.items():
        assert {key: rows[code][key] for key in expected} == expected, code
    assert data["total"]["visits"] == 3 and data["total"]["temp_amount"] == "1300.00"
    assert data["first"] == "2025-01-01" and data["last"] == DAY and data["end"] == "2025-02-12"


def test_reproducible_whatever_is_added_later(festival_county, users):
    before = _table()
    # Later records: a visit dated in the period but entered today, a run sent today, a benefit from today.
    _problem(users["staff"], festival_county["老王"], dt.date(2025, 1, 19), "late")
    _run("regular", "dibao", "2025-03", dt.date(2025, 3, 10), timezone.localdate(), [(VILLAGE_A1, "900")])
    Benefit.objects.create(
        household=festival_county["张三"].household,
        person=festival_county["张三"],
        person_key=festival_county["张三"].id_number,
        category="tekun",
        since=dt.date(2025, 2, 1),
        support_mode="dispersed",
        monthly_amount=800,
    )
    assert _table() == before


def test_drill_down_lists_what_each_figure_counts(client, festival_county, users):
    client.force_login(users["staff"])
    page = client.get(reverse("reports:festival", args=[DAY, COUNTY])).content.decode()
    for key in festival.FIGURES:
        assert reverse("reports:festival_drill", args=[DAY, COUNTY, TOWNSHIP_A, key]) in page

    def count(figure, unit=TOWNSHIP_A):
        body = client.get(reverse("reports:festival_drill", args=[DAY, COUNTY, unit, figure])).content.decode()
        return body, int(body.split('id="drill-count">')[1].split("<")[0])

    assert count("visits")[1] == 2 and count("gifts")[1] == 1 and count("temp_times")[1] == 2
    assert count("early_people")[1] == 2 and count("tekun_needy")[1] == 1
    body, n = count("tekun")
    assert n == 2 and festival_county["老李"].id_number not in body and "老李" in body


def test_xlsx_like_the_paper_form(festival_county, tmp_path):
    out = tmp_path / "f.xlsx"
    call_command("report", "festival", period=DAY, region=COUNTY, out=str(out))
    sheet = load_workbook(out).active
    assert "元旦春节期间困难群众兜底保障有关工作开展情况统计表" in sheet["A1"].value
    assert sheet["A2"].value == "填报单位：沁水县（盖章）" and sheet["A4"].value == "单位"
    assert sheet["B4"].value == "走访慰问" and sheet["B5"].value == "走访人次（人次）" and sheet["E4"].value == "临时救助"
    assert "B4:D4" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A6"].value == "龙港镇" and sheet["B6"].value == 2 and sheet["F6"].value == pytest.approx(0.13)
    assert sheet["A8"].value == "合计" and sheet["M8"].value == 2
    assert sheet["A10"].value.startswith("填报人") and sheet["A11"].value.startswith("备注")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToHeight == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


@pytest.mark.parametrize(
    "period, message",
    [
        ("2027-01-20", "尚未结束"),
        ("2025-13-01", "不存在"),
        ("2025-W02", "格式不对"),
        ("2025-06-01", "不在元旦春节期间"),
        ("2040-01-10", "春节日期"),
    ],
)
def test_command_refuses_bad_dates(festival_county, tmp_path, period, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "festival", period=period, region=COUNTY, out=str(tmp_path / "f.xlsx"))
    assert not (tmp_path / "f.xlsx").exists()


def test_submission_frozen_and_corrected_as_version(client, festival_county, users):
    client.force_login(users["clerk_a"])
    url = reverse("reports:festival_submit", args=[DAY, TOWNSHIP_A])
    assert client.post(url, {"filler": "李会计", "phone": "13300000000"}).status_code == 302
    first = ReportVersion.objects.get(kind="festival", region_id=TOWNSHIP_A)
    assert first.data["total"]["visits"] == 2 and first.due == dt.date(2025, 2, 8) and first.late
    _problem(users["helper_a1"], festival_county["老李"], dt.date(2025, 1, 16), "again")
    Visit.objects.filter(client_key="again").update(created_at=_at(dt.date(2025, 1, 16)))
    refused = client.post(url, {"filler": "李会计", "phone": "13300000000"})
    assert "更正须写明原因" in refused.content.decode()
    client.post(url, {"filler": "李会计", "phone": "13300000000", "reason": "补录走访"})
    versions = list(ReportVersion.objects.filter(kind="festival", region_id=TOWNSHIP_A).order_by("version"))
    assert [v.data["total"]["visits"] for v in versions] == [2, 3] and versions[1].reason == "补录走访"
    frozen = client.get(reverse("reports:festival", args=[DAY, TOWNSHIP_A]) + "?version=1").content.decode()
    assert 'id="frozen-note"' in frozen


def test_least_privilege(client, festival_county, users):
    client.force_login(users["clerk_a"])
    assert client.get(reverse("reports:festival", args=[DAY, TOWNSHIP_B])).status_code == 404
    assert client.get(reverse("reports:festival_drill", args=[DAY, TOWNSHIP_A, TOWNSHIP_B, "visits"])).status_code == 404
    client.force_login(users["helper_a1"])
    assert client.get(reverse("reports:festival", args=[DAY, TOWNSHIP_A])).status_code == 403
    client.force_login(users["supervisor"])
    assert client.post(reverse("reports:festival_submit", args=[DAY, COUNTY]), {"filler": "x", "phone": "1"}).status_code == 403


def test_due_dates_from_the_notices():
    fest = festival.parse_day("2027-01-11")
    assert fest.due_for("township") == dt.date(2027, 1, 12) and fest.due_for("county") == dt.date(2027, 1, 15)
    assert festival.parse_day("2027-01-13").due_for("township") == dt.date(2027, 2, 8)
    assert [f.code for f in festival.season(dt.date(2026, 12, 2))] == ["2027-01-11", "2027-02-07"]
    with pytest.raises(PeriodError):
        festival.ended_day("2027-01-11", dt.date(2027, 1, 11))
    assert Decimal(festival.wan("1300.00")) == Decimal("0.1300")
    assert services.kind_check("festival") == "festival"
