"""临时救助 cases (issue 15): a non-resident helped where the emergency happened, paid first from
the township reserve (the draw linked to the case) and completed later; approval by amount
(乡镇 limit, 县级, 一事一议 with attendees and decision); the same cause refused within the
window or sent to the county with the earlier case; bad input refused with nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, person_id
from doudi.cases import evidence, services, temp
from doudi.cases.models import Case, CaseStep, Conference, TempAssist
from doudi.cases.tests.conftest import DAY
from doudi.core.models import User
from doudi.core.roles import Role
from doudi.core.workflow import WorkflowError
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry

pytestmark = pytest.mark.django_db


def allocated(**fields):
    """A 下拨 by staff, confirmed by another county user (every reserve entry needs a second person)."""
    entry, _ = reserve.reserve_allocate(**fields)
    return reserve.reserve_confirm(entry=entry, user=User.objects.get(username="admin"))


OUTSIDER = person_id("140522", "19750305", 2)  # 阳城县: not in this county's register
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def temp_application(id_number=OUTSIDER, name="外地务工人员", region=VILLAGE_A1, **extra):
    return {
        "id_number": id_number,
        "name": name,
        "region": region,
        "reason": "租住房屋失火，衣物被褥全部烧毁",
        "channel": "window",
        "cause": "fire",
        "tier": "general",
        "incident_on": "2026-05-30",
        "hukou_place": "阳城县",
        **extra,
    }


@pytest.fixture
def fund(users):
    allocated(township=TOWNSHIP_A, amount="10000", on=dt.date(2026, 1, 5), ref="沁民发〔2026〕1号", user=users["staff"])


@pytest.fixture
def clerk2(users):
    from doudi.core.services import user_create

    return user_create(username="clerk_a2", password="pass-clerk_a2", role=Role.TOWNSHIP_CLERK, region_code=TOWNSHIP_A)


def received(user, today, **extra):
    return temp.temp_receive(user=user, data=temp_application(**extra), today=DAY)


def test_non_resident_paid_first_then_papers_completed(users, fund, today):
    clerk = users["clerk_a"]
    case = received(clerk, today)
    assert case.category == "temp_assist" and case.person is None and case.temp.non_resident
    assert case.temp.cause == "fire" and case.temp.kind == "emergency" and case.region_id == VILLAGE_A1
    case = temp.temp_advance(case=case, user=clerk, amount="1000", today=DAY)
    assert case.state == "advanced" and case.is_open and case.temp.advance and case.temp.papers_missing
    assert case.temp.papers_due == dt.date(2026, 6, 15)  # 10 working days (Dragon Boat Festival 2026-06-19 not reached)
    entry = ReserveEntry.objects.get(case=case)
    assert (entry.amount, entry.advance, entry.recipient_id_number, entry.cause_type) == (
        Decimal("1000.00"),
        True,
        OUTSIDER,
        "emergency",
    )
    # One clerk received and paid: the draw waits for a second person before it moves the balance.
    assert entry.state == "pending" and reserve.balance_of(TOWNSHIP_A) == Decimal("10000.00")
    reserve.reserve_confirm(entry=entry, user=users["admin"])
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("9000.00")
    with pytest.raises(WorkflowError, match="请先上传补齐的材料"):
        temp.temp_complete(case=case, user=clerk, today=DAY)
    evidence.document_add(case=case, user=clerk, upload=SimpleUploadedFile("申请书.pdf", PDF), title="申请书")
    case = temp.temp_complete(case=Case.objects.get(pk=case.pk), user=clerk, today=dt.date(2026, 6, 8))
    assert case.state == "granted" and not case.is_open and case.temp.papers_completed_on == dt.date(2026, 6, 8)
    assert ReserveEntry.objects.filter(case=case).count() == 1  # completing pays nothing more
    states = list(CaseStep.objects.filter(case=case).values_list("to_state", flat=True))
    assert states == ["received", "advanced", "granted"]


def test_township_grants_within_its_limit_county_above(users, fund, today, clerk2):
    clerk = users["clerk_a"]
    case = received(clerk, today, tier="serious", requested_amount="2500")
    case = services.case_check(case=case, user=clerk, today=DAY)
    assert case.rules_eligible is True and "乡镇审批额度 1920.00 元" in case.rules_text
    assert "县级审批" in case.rules_text and case.rules_data["parameters"]
    with pytest.raises(WorkflowError, match="超过乡镇审批额度 1920.00 元，请报县级审批"):
        temp.temp_grant(case=case, user=clerk2, amount="2500", today=DAY)
    assert Case.objects.get(pk=case.pk).state == "checked" and not ReserveEntry.objects.filter(case=case).exists()
    case = temp.temp_refer(case=case, user=clerk)
    assert case.state == "referred"
    case = temp.temp_grant(case=case, user=users["staff"], amount="2500", paid_by="reserve", today=DAY)
    assert (case.state, case.temp.approval, case.temp.paid_by) == ("granted", "county", "reserve")
    assert ReserveEntry.objects.get(case=case).amount == Decimal("2500.00")


def test_township_grant_is_a_linked_reserve_draw(users, fund, today, clerk2):
    clerk = users["clerk_a"]
    case = services.case_check(case=received(clerk, today), user=clerk, today=DAY)
    case = temp.temp_grant(case=case, user=clerk2, amount="800", in_kind="棉被2床、临时住宿3天", in_kind_value="300", today=DAY)
    assert (case.temp.amount, case.temp.approval, case.temp.paid_by, case.temp.fund) == (
        Decimal("800.00"),
        "township",
        "reserve",
        "temp_assist",
    )
    assert case.temp.in_kind_value == Decimal("300.00") and case.temp.paid_on == DAY
    assert ReserveEntry.objects.get(case=case).advance is False


def test_large_expense_case_goes_to_conference(users, fund, today, register):
    clerk = users["clerk_a"]
    case = received(
        clerk,
        today,
        id_number=register["sun"],
        name="孙七",
        cause="medical",
        tier="major",
        expense="60000",
        household_income_12m="30000",
        requested_amount="12000",
    )
    assert not case.temp.non_resident
    case = services.case_check(case=case, user=clerk, today=DAY)
    case = temp.temp_refer(case=case, user=clerk)
    with pytest.raises(WorkflowError, match="超过县级审批额度 7680.00 元，须先登记同意该金额的“一事一议”记录"):
        temp.temp_grant(case=case, user=users["staff"], amount="12000", today=DAY)
    with pytest.raises(WorkflowError, match="至少 3 人"):
        temp.conference_record(
            case=case,
            user=users["staff"],
            held_on="2026-06-01",
            attendees="张三、李四",
            decision="同意",
            agreed=True,
            amount="12000",
            today=DAY,
        )
    with pytest.raises(WorkflowError, match="须由县级人员登记"):
        temp.conference_record(
            case=case,
            user=clerk,
            held_on="2026-06-01",
            attendees="张三、李四、王五",
            decision="同意",
            agreed=True,
            amount="12000",
            today=DAY,
        )
    record = temp.conference_record(
        case=case,
        user=users["staff"],
        held_on="2026-06-01",
        attendees="县民政局 张三、县财政局 李四、县医保局 王五",
        decision="医疗自付超过家庭承受能力，同意救助",
        agreed=True,
        amount="12000",
        today=DAY,
    )
    assert record.attendees.count("、") == 2 and Conference.objects.count() == 1
    case = temp.temp_grant(case=Case.objects.get(pk=case.pk), user=users["staff"], amount="12000", today=DAY)
    assert (case.temp.approval, case.temp.paid_by, case.temp.kind) == ("conference", "county", "expense")
    assert not ReserveEntry.objects.filter(case=case).exists() and reserve.balance_of(TOWNSHIP_A) == Decimal("10000.00")


def test_same_cause_refused_or_sent_to_the_county(users, fund, today, clerk2):
    clerk = users["clerk_a"]
    first = temp.temp_advance(case=received(clerk, today), user=clerk, amount="500", today=DAY)
    evidence.document_add(case=first, user=clerk, upload=SimpleUploadedFile("a.pdf", PDF))
    temp.temp_complete(case=Case.objects.get(pk=first.pk), user=clerk, today=DAY)
    before = Case.objects.count()
    with pytest.raises(services.ApplicationRefused) as refused:
        received(clerk, today, region=VILLAGE_A2)
    assert f"案件编号 {first.number}" in refused.value.errors["cause"] and "12 个月内不重复救助" in refused.value.errors["cause"]
    assert Case.objects.count() == before
    other_cause = received(clerk, today, cause="accident")  # another cause is another matter
    temp.temp_refer(case=services.case_check(case=other_cause, user=clerk, today=DAY), user=clerk)
    temp.temp_grant(case=Case.objects.get(pk=other_cause.pk), user=users["staff"], amount="100", today=DAY)
    again = received(clerk, today, new_reason="火灾后租住的临时住所再次失火")
    assert again.temp.repeat_of_id == first.pk
    again = services.case_check(case=again, user=clerk, today=DAY)
    assert first.number in again.rules_text
    with pytest.raises(WorkflowError, match="同一事由再次救助，请报县级审批"):
        temp.temp_grant(case=again, user=clerk2, amount="300", today=DAY)
    with pytest.raises(WorkflowError, match="请报县级审批"):
        temp.temp_advance(case=again, user=clerk2, amount="300", today=DAY)
    granted = temp.temp_grant(case=again, user=users["staff"], amount="300", today=DAY)
    assert granted.state == "granted"
    later = dt.date(2027, 6, 2)  # outside the 12 months: a new application is received again
    today(later)


def test_reserve_cannot_go_negative(users, today, clerk2):
    allocated(township=TOWNSHIP_A, amount="500", on=dt.date(2026, 1, 5), ref="x", user=users["staff"])
    clerk = users["clerk_a"]
    case = received(clerk, today)
    with pytest.raises(WorkflowError, match="余额 500.00 元，不足支取 600.00 元"):
        temp.temp_advance(case=case, user=clerk, amount="600", today=DAY)
    case = Case.objects.get(pk=case.pk)
    assert case.state == "received" and not case.temp.advance and not ReserveEntry.objects.filter(case=case).exists()
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("500.00")


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"region": "140521999999"}, "region", "未知的村（居）区划代码"),
        ({"cause": "lottery"}, "cause", "请选择救助事由"),
        ({"incident_on": "2026-07-01"}, "incident_on", "不能晚于今天"),
        ({"requested_amount": "一千"}, "requested_amount", "不是数字"),
        ({"id_number": "14052219750305002"}, "id_number", "身份证号无效"),
        ({"education_level": "phd"}, "education_level", "教育阶段"),
    ],
)
def test_bad_applications_are_refused(users, today, extra, field, message):
    with pytest.raises(services.ApplicationRefused) as refused:
        received(users["clerk_a"], today, **extra)
    assert message in refused.value.errors[field]
    assert Case.objects.count() == 0 and TempAssist.objects.count() == 0


def test_amount_above_the_approvers_tier_and_ineligible(users, fund, today, clerk2):
    clerk = users["clerk_a"]
    case = services.case_check(case=received(clerk, today), user=clerk, today=DAY)
    with pytest.raises(WorkflowError, match="超过乡镇审批额度"):
        temp.temp_advance(case=case, user=clerk, amount="2000", today=DAY)
    with pytest.raises(WorkflowError, match="不能先行支付"):
        temp.temp_advance(case=case, user=users["staff"], amount="9000", today=DAY)
    with pytest.raises(WorkflowError, match="不是数字"):
        temp.temp_grant(case=case, user=clerk2, amount="abc", today=DAY)
    school = services.case_check(
        case=received(
            clerk,
            today,
            id_number=person_id("140522", "20050101", 3),
            name="学生",
            cause="education",
            education_level="compulsory",
            expense="3000",
            household_income_12m="1000",
        ),
        user=clerk,
        today=DAY,
    )
    assert school.rules_eligible is False
    with pytest.raises(WorkflowError, match="不符合临时救助条件：教育支出限于学前、高中和全日制大中专院校教育"):
        temp.temp_grant(case=school, user=clerk2, amount="500", today=DAY)
    refused = services.Case.objects.get(pk=school.pk)
    from doudi.cases import decisions

    refused = decisions.case_refuse(case=refused, user=clerk2, reasons="义务教育阶段不在支出型临时救助范围", today=DAY)
    assert refused.state == "refused"
    assert ReserveEntry.objects.filter(kind="draw").count() == 0


def test_generic_workflow_steps_do_not_apply(users, today):
    clerk = users["clerk_a"]
    case = received(clerk, today)
    from doudi.cases.workflow import actions_for

    assert "approve" not in actions_for(case, clerk) and "advance" in actions_for(case, clerk)
    with pytest.raises(WorkflowError, match="不经公示"):
        services.case_publicize(case=services.case_check(case=case, user=clerk, today=DAY), user=clerk, today=DAY)
    helper = users["helper_a1"]
    assert actions_for(Case.objects.get(pk=case.pk), helper) == []
    with pytest.raises(WorkflowError):
        temp.temp_advance(case=Case.objects.get(pk=case.pk), user=helper, amount="100", today=DAY)


def test_api_application_gets_default_details(users, today):
    case = services.case_receive(
        user=None,
        data={
            "category": "temp_assist",
            "id_number": OUTSIDER,
            "name": "外地务工人员",
            "region": VILLAGE_A1,
            "reason": "车祸",
            "channel": "online",
        },
        today=DAY,
    )
    assert TempAssist.objects.get(pk=case.pk).cause == "other_emergency"
    assert isinstance(User.objects.first(), User)
