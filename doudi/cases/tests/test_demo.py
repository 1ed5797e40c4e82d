"""The cases demo step on a small county: cases at every step (and 临时救助 at each kind of
approval), made through the services, clocks computable; running it twice adds nothing.
`demo_county` is shared with the care and reports demo tests."""

import datetime as dt
import io

import pytest

from conftest import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.registry.services import registry_import

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 2)  # a Wednesday in the heating season, inside the calendar's known years


@pytest.fixture
def demo_county(users, tmp_path, settings, monkeypatch):
    """About sixty persons in the root conftest's two townships: 80-year-olds living alone,
    severely disabled persons, 低保 households with a disabled member, 低保边缘 households
    with children, a 分散供养特困 person, an orphan; "today" is DAY."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("doudi.cases.clock.today", lambda: DAY)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: DAY)
    households, members, benefits = [], [], []
    villages = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
    seq = iter(range(100, 999))

    def member(code, name, birth, relation="户主", **extra):
        number = person_id(COUNTY, birth, next(seq))
        members.append(member_row(code, name, number, relation, **extra))
        return number

    for n in range(10):  # 80 and over, alone
        code = f"E{n:03d}"
        households.append(household_row(code, villages[n % 3], 金融资产="0"))
        member(
            code,
            f"老人{n}",
            f"19{40 + n % 4}0{1 + n % 9}15",
            月转移性收入="300",
            **({"自理能力": "全失能"} if n % 3 == 0 else {}),
        )
    for n in range(4):  # severely disabled
        code = f"D{n:03d}"
        households.append(household_row(code, villages[n % 3], 金融资产="0"))
        member(code, f"残疾人{n}", f"19{70 + n}0315", 残疾类别="肢体", 残疾等级="1", 月转移性收入="0")
    for n in range(4):  # 低保 households with a disabled member
        code = f"B{n:03d}"
        households.append(household_row(code, villages[n % 3], 金融资产="0"))
        member(code, f"低保户主{n}", f"19{65 + n}0505", 月转移性收入="0")
        number = member(code, f"低保家属{n}", f"19{90 + n}0606", "子女", 残疾类别="智力", 残疾等级="3", 月转移性收入="0")
        benefits.append(benefit_row(code, amount="900", since="2024-01-01"))
        del number
    for n in range(14):  # 低保边缘 households, a grandchild in each
        code = f"G{n:03d}"
        households.append(household_row(code, villages[n % 3]))
        member(code, f"边缘户主{n}", f"19{60 + n}0707", 月工资性收入="1800", 是否就业="是")
        member(code, f"孙辈{n}", f"20{14 + n % 6}0808", "孙子女", 月转移性收入="0")
        benefits.append(benefit_row(code, "低保边缘", amount="0", since="2024-01-01"))
    code = "T000"
    households.append(household_row(code, VILLAGE_A1))
    tekun = member(code, "特困老人", "19420909", 月转移性收入="0")
    benefits.append(benefit_row(code, "特困", tekun, "1300", mode="分散", since="2022-01-01"))
    code = "O000"
    households.append(household_row(code, VILLAGE_A2))
    member(code, "奶奶", "19550101", 月转移性收入="200")
    orphan = member(code, "孤儿", "20150202", "孙子女", 月转移性收入="0")
    benefits.append(benefit_row(code, "孤儿", orphan, "1500", since="2022-01-01"))
    registry_import(paths=[write_registry(tmp_path / "demo-register", households, members, benefits)])
    return DAY


def _counts():
    from doudi.cases.models import Case, CaseDocument, CaseStep, Conference, Referral, SpotCheck
    from doudi.payments.models import PaymentLine, ReserveEntry
    from doudi.registry.models import Benefit

    models = (Case, CaseStep, CaseDocument, Conference, ReserveEntry, Benefit, SpotCheck, Referral, PaymentLine)
    return [m.objects.count() for m in models]


def test_cases_at_every_step_twice_is_once(demo_county):
    from doudi.cases import clock
    from doudi.cases.demo import build_demo
    from doudi.cases.models import Case

    out, err = io.StringIO(), io.StringIO()
    build_demo(seed=2026, stdout=out, stderr=err)
    assert "案件演示数据已就绪" in out.getvalue() and "未能办理" not in err.getvalue(), err.getvalue()
    cases = list(Case.objects.select_related("temp"))
    ordinary = [c for c in cases if c.category != "temp_assist"]
    states = {c.state for c in ordinary}
    assert {"received", "checked", "surveyed", "publicity", "returned", "enrolled", "refused", "withdrawn"} <= states
    assert all(c.received_on.year == 2026 and c.received_on <= DAY for c in cases)
    # The rules' decision is stored at 核对; the enrolled have their benefit from the registry service.
    assert all(c.rules_month and c.rules_text for c in ordinary if c.state not in ("received", "withdrawn", "returned"))
    enrolled = [c for c in ordinary if c.state == "enrolled"]
    assert enrolled and all(c.benefit_id and c.benefit.since > c.decided_on for c in enrolled)
    assert all(c.refusal_reasons and c.refusal_notice_due for c in ordinary if c.state == "refused")
    assert any(c.override and c.override_reason for c in ordinary)
    assert any(c.paused_since for c in ordinary if c.state == "returned")
    running = [c for c in ordinary if c.state == "publicity"]
    assert any(c.publicity_end >= DAY for c in running) and any(c.publicity_end < DAY for c in running)
    kinds = {clock.status(c, DAY)["kind"] for c in cases}
    assert "unknown" not in kinds and {"closed", "paused"} <= kinds
    # 临时救助: township grant, county grant, 一事一议, 先行 still missing papers and completed, a non-resident.
    temps = [c.temp for c in cases if c.category == "temp_assist"]
    assert {t.approval for t in temps if t.approval} >= {"township", "county", "conference"}
    assert any(t.papers_missing for t in temps) and any(t.advance and t.papers_completed_on for t in temps)
    assert any(t.non_resident and t.case.person is None for t in temps)
    # The county's money: last month's 临时救助县级发放 run, built by staff and checked by staff2.
    from doudi.payments.models import PaymentLine, PayrollRun

    run = PayrollRun.objects.get(kind="temp_assist", period="2026-11")
    owed = [t for t in temps if t.paid_by == "county" and t.case.state == "granted" and t.paid_on < dt.date(2026, 12, 1)]
    assert owed and run.state == "checked" and run.lines == len(owed)
    assert set(PaymentLine.objects.filter(run=run).values_list("holder_key", flat=True)) == {t.case.number for t in owed}
    assert list(run.transitions.values_list("to_state", "user__username")) == [("draft", "staff"), ("checked", "staff2")]
    # After 纳入保障: this month's reviews opened, households in 渐退, a stop; 民主评议 before 公示
    # (the demo county holds it from 2026-09); last month's township confirmations of new
    # applicants (their households created in the register) and the county's spot-check; 转办.
    from doudi.cases.models import Deliberation, Referral, SpotCheck

    reviews = [c for c in Case.objects.filter(kind="review")]
    assert reviews and {"tapering", "continued", "received"} <= {c.state for c in reviews}
    assert all(c.taper_start and c.benefit.until for c in reviews if c.state == "tapering")
    assert Deliberation.objects.filter(result="agree").exists()
    township = Case.objects.filter(decided_by_township=True)
    assert township.count() >= 2 and all(c.household.code.startswith("N") for c in township)
    assert {"correct", "wrong"} <= {s.state for s in SpotCheck.objects.all()} and SpotCheck.objects.filter(
        review_case__isnull=False
    )
    assert Referral.objects.filter(state="answered").exists() and Referral.objects.filter(state="sent").exists()
    assert "在保复核、抽查和转办演示数据已就绪" in out.getvalue()
    before = _counts()
    again = io.StringIO()
    build_demo(seed=2026, stdout=again, stderr=io.StringIO())
    assert _counts() == before and "未重复生成" in again.getvalue()
