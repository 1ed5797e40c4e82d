"""The life of a case on the services: 受理 → 核对 → 入户调查 → 公示 → 审核确认 → 纳入保障,
refusal with reasons, return for documents with the clock paused, withdraw and reopen."""

import datetime as dt
from decimal import Decimal

import pytest

from doudi.cases import decisions, services
from doudi.cases.models import Case, CaseStep
from doudi.cases.tests.conftest import DAY, application
from doudi.core import workdays
from doudi.core.models import AuditEntry
from doudi.core.workflow import WorkflowError
from doudi.registry.models import Benefit


def _to_publicity(case, clerk, day=DAY):
    case = services.case_check(case=case, user=clerk, findings="公安、人社数据无异常", today=day)
    case = services.case_survey(case=case, user=clerk, notes="入户查看，房屋破旧，无劳动收入")
    return services.case_publicize(case=case, user=clerk, today=day + dt.timedelta(days=1))


def test_application_to_enrolment(register, users, today):
    clerk, staff = users["clerk_a"], users["staff"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    assert case.number == "140521-2026-000001" and case.state == "received"
    assert case.household.code == "H010" and case.received_by_region_id == "140521100"
    assert case.survey_due == workdays.add(DAY, 3) and case.due == workdays.add(DAY, 30)
    case = _to_publicity(case, clerk)
    assert case.rules_eligible is True and case.rules_amount > 0 and case.rules_month == "2026-06"
    assert "符合城乡最低生活保障条件" in case.rules_text and case.rules_data["parameters"]
    assert case.publicity_end == dt.date(2026, 6, 8)
    with pytest.raises(WorkflowError, match="公示期至 2026-06-08 尚未结束"):
        decisions.case_approve(case=case, user=staff, today=dt.date(2026, 6, 8))
    with pytest.raises(WorkflowError, match="县级民政部门"):
        decisions.case_approve(case=case, user=clerk, today=dt.date(2026, 6, 9))
    case = decisions.case_approve(case=case, user=staff, today=dt.date(2026, 6, 9))
    assert case.state == "enrolled" and case.override is False
    benefit = Benefit.objects.get(pk=case.benefit_id)
    assert benefit.category == "dibao" and benefit.since == dt.date(2026, 7, 1) and benefit.monthly_amount == case.rules_amount
    assert AuditEntry.objects.filter(entity="benefit", action="create", household_code="H010").exists()
    steps = list(CaseStep.objects.filter(case=case).values_list("to_state", "role"))
    assert steps == [
        ("received", "township_clerk"),
        ("checked", "township_clerk"),
        ("surveyed", "township_clerk"),
        ("publicity", "township_clerk"),
        ("enrolled", "county_staff"),
    ]


def test_double_submission_refused(register, users, today):
    first = services.case_receive(user=users["clerk_a"], data=application(register["sun"]), today=DAY)
    with pytest.raises(services.DuplicateApplication) as refused:
        services.case_receive(user=users["clerk_b"], data=application(register["sun"]), today=DAY)
    assert refused.value.number == first.number and "不能重复提交" in str(refused.value)
    other = services.case_receive(user=users["clerk_a"], data=application(register["sun"], "tekun"), today=DAY)
    assert other.number.endswith("000002")


def test_any_township_receives_and_routes(register, users, today):
    case = services.case_receive(user=users["clerk_b"], data=application(register["sun"]), today=DAY)
    assert case.received_by_region_id == "140521101" and case.region_id.startswith("140521100")


def test_bad_application_each_field(register, users, today):
    with pytest.raises(services.ApplicationRefused) as refused:
        services.case_receive(
            user=users["clerk_a"],
            data={"category": "x", "id_number": "140521195801010311", "region": "140521999999", "name": "", "reason": ""},
        )
    errors = refused.value.errors
    assert set(errors) == {"category", "id_number", "region", "name", "reason"}
    assert "校验位" in errors["id_number"] and "未知的村" in errors["region"]
    assert not Case.objects.exists()


def test_village_helper_only_own_village(register, users, today):
    with pytest.raises(WorkflowError, match="本村"):
        services.case_receive(user=users["helper_a1"], data=application(register["zhou"], region="140521101201"))
    case = services.case_receive(user=users["helper_a1"], data=application(register["sun"], channel="village"))
    assert case.channel == "village"


def test_refusal_with_reasons_and_override(register, users, today):
    clerk, staff = users["clerk_a"], users["staff"]
    case = services.case_receive(user=clerk, data=application(register["zhao"], name="赵六"), today=DAY)
    case = services.case_check(case=case, user=clerk, today=DAY)
    assert case.rules_eligible is False and "机动车" in case.rules_text
    with pytest.raises(WorkflowError, match="须说明原因"):
        decisions.case_refuse(case=case, user=staff, reasons=" ")
    case = decisions.case_refuse(case=case, user=staff, reasons="家庭拥有两辆小汽车，财产状况不符合", today=DAY)
    assert case.state == "refused" and case.override is False
    assert case.refusal_notice_due == workdays.add(DAY, 3)


def test_decision_against_rules_needs_reason(register, users, today):
    clerk, staff = users["clerk_a"], users["staff"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    case = services.case_check(case=case, user=clerk, today=DAY)
    with pytest.raises(WorkflowError, match="规则测算结论为“符合”"):
        decisions.case_refuse(case=case, user=staff, reasons="不符合", today=DAY)
    case = decisions.case_refuse(
        case=case, user=staff, reasons="入户发现有隐性收入", override_reason="邻里反映长期务工", today=DAY
    )
    assert case.override is True and case.override_reason == "邻里反映长期务工"


def test_return_pauses_clock(register, users, today):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    due = case.due
    case = decisions.case_return(case=case, user=clerk, reason="缺少收入证明", today=dt.date(2026, 6, 3))
    assert case.state == "returned" and case.paused_since == dt.date(2026, 6, 3)
    case = decisions.case_resume(case=case, user=clerk, today=dt.date(2026, 6, 10))
    assert case.state == "received" and case.paused_days == 5
    assert case.due == workdays.add(DAY, 35) and case.due > due


def test_withdraw_and_reopen(register, users, today):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    with pytest.raises(WorkflowError, match="须说明原因"):
        decisions.case_withdraw(case=case, user=clerk, reason="")
    case = decisions.case_withdraw(case=case, user=clerk, reason="申请人本人要求撤回")
    newer = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    with pytest.raises(WorkflowError, match="已有同类申请正在办理"):
        decisions.case_reopen(case=case, user=clerk, reason="重新申请", today=DAY)
    decisions.case_withdraw(case=newer, user=clerk, reason="重复")
    case = decisions.case_reopen(case=case, user=clerk, reason="申请人补齐材料后重新申请", today=dt.date(2026, 6, 15))
    assert case.state == "received" and case.received_on == dt.date(2026, 6, 15)


def test_surveyor_may_not_confirm(register, users, today, settings):
    """Maker-checker: a county user who did the survey cannot also confirm."""
    staff = users["staff"]
    case = services.case_receive(user=staff, data=application(register["sun"]), today=DAY)
    case = _to_publicity(case, staff)
    with pytest.raises(WorkflowError, match="经办与审核分离"):
        decisions.case_approve(case=case, user=staff, today=dt.date(2026, 6, 20))
    case = decisions.case_approve(case=case, user=users["staff2"], monthly_amount="123.4", today=dt.date(2026, 6, 20))
    assert case.monthly_amount == Decimal("123.40")


def test_temporary_assistance_is_ruled_by_its_own_rules(register, users, today):
    """临时救助 is checked by doudi.rules.temp_assist (issue 15): limits with their 文号."""
    case = services.case_receive(user=users["clerk_a"], data=application(register["sun"], "temp_assist"), today=DAY)
    case = services.case_check(case=case, user=users["clerk_a"], today=DAY)
    assert case.rules_eligible is True and "事由：其他特殊困难" in case.rules_text and "乡镇审批额度" in case.rules_text


def test_new_applicant_needs_register_before_confirming(register, users, today):
    from conftest import COUNTY, person_id

    clerk = users["clerk_a"]
    newcomer = person_id(COUNTY, "19900101", 55)
    case = services.case_receive(user=clerk, data=application(newcomer, name="钱九"), today=DAY)
    assert case.household is None
    case = services.case_check(case=case, user=clerk, today=DAY)
    assert case.rules_eligible is None and "台账中没有该申请人的家庭信息" in case.rules_text
    case = services.case_publicize(case=services.case_survey(case=case, user=clerk, notes="入户"), user=clerk, today=DAY)
    # Entered without its 户籍性质: the household cannot be created yet (doudi/cases/tests/test_new_household.py).
    with pytest.raises(WorkflowError, match="请选择户籍性质"):
        decisions.case_approve(case=case, user=users["staff"], monthly_amount="500", today=dt.date(2026, 6, 20))
    assert Case.objects.get(pk=case.pk).state == "publicity"
