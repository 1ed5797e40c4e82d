"""The enrolment lifecycle (issue 14 item 4): reviews by class and their outcomes (continue,
adjust, 渐退, 停保, restore) through the registry services; bulk opening from evaluation
differences, confirmed warnings and reviews due, never twice for the same finding; the
county's emergency switch holding an exit; least privilege."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from doudi.assessment.models import Difference, EvaluationRun
from doudi.cases import bulk, lifecycle, services
from doudi.cases.models import Case, CaseSource, EmergencySwitch
from doudi.cases.tests.conftest import DAY
from doudi.cases.workflow import WorkflowError
from doudi.core.models import AuditEntry
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import benefit_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(register, users, today):
    """H010 (孙七) holds 低保 since 2025-05: its yearly review falls due in 2026-05."""
    household = Household.objects.get(code="H010")
    return benefit_start(
        household=household,
        category="dibao",
        since=dt.date(2025, 5, 1),
        monthly_amount=Decimal("500.00"),
        reason="测试",
        user=users["staff"],
    )


def _review(users, held) -> Case:
    rows = lifecycle.reviews_due(users["clerk_a"], month="2026-06", day=DAY)
    found, _ = bulk.from_reviews(rows, "2026-06")
    result = bulk.open_cases(user=users["clerk_a"], findings=found, origin="review:2026-06", today=DAY)
    assert len(result.opened) == 1
    case = Case.objects.get(pk=result.opened[0].pk)
    return services.case_check(case=case, user=users["clerk_a"], today=DAY)


def test_reviews_due_by_class_and_opened_once(users, held):
    rows = lifecycle.reviews_due(users["clerk_a"], month="2026-06", day=DAY)
    assert [(r.household.code, r.every, r.due) for r in rows] == [("H010", 12, dt.date(2026, 5, 1))]
    assert lifecycle.reviews_due(users["clerk_b"], month="2026-06", day=DAY) == []  # another township
    found, _ = bulk.from_reviews(rows, "2026-06")
    first = bulk.open_cases(user=users["clerk_a"], findings=found, origin="review:2026-06", today=DAY)
    again = bulk.open_cases(user=users["clerk_a"], findings=found, origin="review:2026-06", today=DAY)
    assert len(first.opened) == 1 and (len(again.opened), again.skipped) == (0, 1)
    case = first.opened[0]
    case.refresh_from_db()
    assert (case.kind, case.state, case.benefit_id, case.channel) == ("review", "received", held.pk, "schedule")
    assert case.steps.count() == 1 and CaseSource.objects.get(case=case).key == f"review:{held.pk}:2026-06"


def test_six_monthly_for_irregular_income_with_members_able_to_work(users, held):
    Person.objects.filter(household__code="H010").update(income_business=Decimal("300"))
    held.since = dt.date(2025, 12, 1)
    Benefit.objects.filter(pk=held.pk).update(since=held.since)
    rows = lifecycle.reviews_due(users["staff"], month="2026-06", day=DAY)
    assert [(r.every, r.irregular, r.due) for r in rows] == [(6, True, dt.date(2026, 6, 1))]
    assert lifecycle.reviews_due(users["staff"], month="2026-05", day=DAY) == []


def test_review_stop_with_reason_and_restore(users, held, today):
    case = _review(users, held)
    with pytest.raises(WorkflowError, match="县级"):  # 审核确认 is the county's (not delegated)
        lifecycle.case_stop(case=case, user=users["clerk_a"], stop_reason="income", reason="收入超标", today=DAY)
    with pytest.raises(WorkflowError, match="停保原因"):
        lifecycle.case_stop(case=case, user=users["staff"], stop_reason="", reason="收入超标", today=DAY)
    case = lifecycle.case_stop(case=case, user=users["staff"], stop_reason="assets", reason="新购商品房", today=DAY)
    held.refresh_from_db()
    assert case.state == "stopped" and case.stop_reason == "assets" and held.until == dt.date(2026, 6, 30)
    assert AuditEntry.objects.filter(entity="benefit", action="end", reason__contains=case.number).exists()
    case = lifecycle.case_restore(case=case, user=users["staff"], reason="核实房产为他人所有", today=DAY)
    new = Benefit.objects.get(household=held.household, until__isnull=True)
    assert case.state == "restored" and case.benefit_id == new.pk and new.since == dt.date(2026, 7, 1)
    assert new.monthly_amount == Decimal("500.00")
    assert [s.to_state for s in case.steps.all()] == ["received", "checked", "stopped", "restored"]


def test_review_taper_records_its_start_month(users, held):
    case = _review(users, held)
    case = lifecycle.case_taper(case=case, user=users["staff"], reason="务工收入超过低保标准", today=DAY)
    held.refresh_from_db()
    assert (case.state, case.taper_start, case.taper_months) == ("tapering", "2026-07", 6)
    assert held.until == dt.date(2026, 12, 31) == case.benefit_until


def test_review_adjust_and_continue(users, held):
    case = _review(users, held)
    case = lifecycle.case_adjust(case=case, user=users["staff"], monthly_amount="420", reason="收入增加", today=DAY)
    held.refresh_from_db()
    new = Benefit.objects.get(household=held.household, until__isnull=True)
    assert case.state == "adjusted" and held.until == dt.date(2026, 6, 30)
    assert (new.since, new.monthly_amount, case.benefit_id) == (dt.date(2026, 7, 1), Decimal("420.00"), new.pk)
    # reviewed in June: the next yearly review is June next year
    assert lifecycle.reviews_due(users["staff"], month="2026-06", day=DAY) == []
    assert lifecycle.reviews_due(users["staff"], month="2027-06", day=DAY)[0].due == dt.date(2027, 6, 1)


def test_emergency_switch_holds_an_exit(client, users, held):
    case = _review(users, held)
    with pytest.raises(PermissionError):
        lifecycle.emergency_on(user=users["staff"], start=DAY, end=dt.date(2026, 9, 30), reason="疫情")
    client.force_login(users["staff"])
    assert client.post(reverse("cases:emergency"), {"start": "2026-06-01", "end": "2026-09-30", "reason": "x"}).status_code == 403
    client.force_login(users["admin"])
    client.post(
        reverse("cases:emergency"),
        {"do": "on", "start": "2026-06-01", "end": "2026-09-30", "reason": "新冠肺炎疫情防控（沁政办发〔2021〕7号 §五）"},
    )
    switch = EmergencySwitch.objects.get()
    assert AuditEntry.objects.filter(entity="emergency", action="create", entity_key="140521").exists()
    with pytest.raises(WorkflowError, match="应急期间暂缓退出"):
        lifecycle.case_stop(case=case, user=users["staff"], stop_reason="income", reason="收入超标", today=DAY)
    with pytest.raises(WorkflowError, match="应急期间暂缓退出"):
        lifecycle.case_taper(case=case, user=users["staff"], reason="收入超标", today=DAY)
    client.force_login(users["staff"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "应急期间暂缓退出" in page and 'id="life-form-stop"' in page
    response = client.post(
        reverse("cases:life_act", args=[case.number, "stop"]),
        {"version": case.version, "stop_reason": "income", "reason": "收入超标"},
        follow=True,
    )
    assert "应急期间暂缓退出" in response.content.decode()
    held.refresh_from_db()
    case.refresh_from_db()
    assert held.until is None and case.state == "checked"  # the exit is held, nothing changed
    # reviews due in the period move to the month after it
    row = lifecycle.reviews_due(users["staff"], month="2026-06", day=DAY)
    assert row and row[0].extended and row[0].due == dt.date(2026, 10, 1)
    assert "应急顺延" in client.get(reverse("cases:reviews")).content.decode()
    # a death still ends the benefit
    lifecycle.case_stop(case=case, user=users["staff"], stop_reason="death", reason="本人死亡", today=DAY)
    # switched off: exits again
    lifecycle.emergency_off(user=users["admin"], switch=switch, reason="疫情结束", today=dt.date(2026, 7, 1))
    assert lifecycle.emergency_for("140521100", dt.date(2026, 7, 1)) is None
    assert lifecycle.emergency_for("140521100", dt.date(2026, 6, 30)) is not None


def _run(region="140521", month="2026-06") -> EvaluationRun:
    return EvaluationRun.objects.create(month=month, region_code=region, policy=region, status="done")


def _difference(run, household, change, category="dibao", **extra):
    return Difference.objects.create(
        run=run,
        household=household,
        household_code=household.code,
        region_code=household.region_id,
        township_code=household.region_id[:9],
        category=category,
        change=change,
        **extra,
    )


def test_bulk_from_evaluation_once_per_finding(client, users, held):
    run = _run()
    h11, h10 = Household.objects.get(code="H011"), Household.objects.get(code="H010")
    h12 = Household.objects.get(code="H012")
    _difference(run, h11, "start", new_amount=Decimal("600"))
    _difference(run, h10, "change_amount", held_amount=Decimal("500"), new_amount=Decimal("300"))
    _difference(run, h12, "stop")  # holds nothing: nothing to open
    url = reverse("cases:bulk_evaluation", args=[run.pk])
    client.force_login(users["staff"])
    assert "应新增" in client.get(url).content.decode()
    page = client.post(url, {"change": ["start", "stop", "change_amount"]}, follow=True).content.decode()
    assert "已开案 2 件，跳过 0 件" in page
    apply_case = Case.objects.get(household=h11)
    change_case = Case.objects.get(household=h10)
    assert (apply_case.kind, apply_case.category, apply_case.channel) == ("apply", "dibao", "finding")
    assert (change_case.kind, change_case.benefit_id) == ("change", held.pk)
    assert "应调整金额" in change_case.reason
    page = client.post(url, {"change": ["start", "stop", "change_amount"]}, follow=True).content.decode()
    assert "已开案 0 件，跳过 2 件" in page and Case.objects.count() == 2
    # a later run finding the same households while their cases are open: skipped as well
    later = _run(month="2026-07")
    _difference(later, h11, "start")
    result = bulk.open_cases(user=users["staff"], findings=bulk.from_evaluation(users["staff"], later)[0], origin="x")
    assert (len(result.opened), result.skipped) == (0, 1)


def test_bulk_least_privilege(client, users, held):
    run, elsewhere = _run(), _run(region="140522")
    url = reverse("cases:bulk_evaluation", args=[run.pk])
    for name in ("clerk_a", "helper_a1", "supervisor"):
        client.force_login(users[name])
        assert client.post(url, {"change": ["start"]}).status_code == 403, name
    client.force_login(users["staff"])
    assert client.get(reverse("cases:bulk_evaluation", args=[elsewhere.pk])).status_code == 404
    client.force_login(users["finance"])
    assert client.get(reverse("cases:reviews")).status_code == 403
    assert client.get(reverse("cases:bulk_warnings")).status_code == 403


def test_life_actions_scoped(client, users, held):
    case = _review(users, held)
    client.force_login(users["clerk_b"])
    assert client.post(reverse("cases:life_act", args=[case.number, "continue"]), {"version": case.version}).status_code == 404
    client.force_login(users["helper_a1"])
    assert client.post(reverse("cases:life_act", args=[case.number, "continue"]), {"version": case.version}).status_code == 403
    client.force_login(users["clerk_a"])
    page = client.post(
        reverse("cases:life_act", args=[case.number, "continue"]), {"version": case.version}, follow=True
    ).content.decode()
    assert "已继续保障" in page and Case.objects.get(pk=case.pk).state == "continued"


def test_bulk_from_confirmed_warnings(client, users, held):
    from doudi.monitoring.models import ComparisonRun, Warning

    comparison = ComparisonRun.objects.create(as_of=DAY, engine="duckdb")
    zhou = Person.objects.get(name="周八")
    sun = Person.objects.get(name="孙七")
    common = {
        "level": "orange",
        "fingerprint": "x",
        "status": "confirmed",
        "deadline": DAY,
        "first_run": comparison,
        "last_run": comparison,
    }
    Warning.objects.create(
        rule="missed_monitoring",
        person=zhou,
        household=zhou.household,
        region_code=zhou.household.region_id,
        township_code=zhou.household.region_id[:9],
        outcome="enrol",
        **common,
    )
    Warning.objects.create(
        rule="pension_income",
        person=sun,
        household=sun.household,
        region_code=sun.household.region_id,
        township_code=sun.household.region_id[:9],
        outcome="adjust",
        **common,
    )
    Warning.objects.create(
        rule="vehicle",
        person=sun,
        household=sun.household,
        region_code=sun.household.region_id,
        township_code=sun.household.region_id[:9],
        outcome="file",
        **common,
    )
    client.force_login(users["staff"])
    url = reverse("cases:bulk_warnings")
    assert "纳入保障" in client.get(url).content.decode()
    assert "已开案 2 件，跳过 0 件" in client.post(url, follow=True).content.decode()
    assert "已开案 0 件，跳过 2 件" in client.post(url, follow=True).content.decode()
    kinds = dict(Case.objects.values_list("applicant_name", "kind"))
    assert kinds == {"周八": "apply", "孙七": "change"}


def test_emergency_page_for_each_role(client, users, today):
    client.force_login(users["admin"])
    page = client.get(reverse("cases:emergency")).content.decode()
    assert "应急开关未开启" in page and 'id="emergency-on-form"' in page
    client.post(reverse("cases:emergency"), {"do": "on", "start": "2026-06-01", "end": "2026-06-30", "reason": "暴雨灾害"})
    client.force_login(users["clerk_a"])
    page = client.get(reverse("cases:emergency")).content.decode()
    assert "应急期间暂缓退出" in page and "emergency-off-form" not in page
    client.force_login(users["uploader"])
    assert client.get(reverse("cases:emergency")).status_code == 403
