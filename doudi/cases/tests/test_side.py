"""民主评议 (where the county holds it, skipped where not), township confirmation with the
county's reproducible spot-check sample, and 转办 with the department's answer: each with a
wrong role, another township and a double submission refused."""

import datetime as dt
import hashlib
import io
import math

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, person_id
from doudi.cases import decisions, deliberation, referrals, services, spotcheck
from doudi.cases.models import Case, Deliberation, Referral, SpotCheck
from doudi.cases.tests.conftest import DAY, application
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.core.workflow import WorkflowError

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 12)  # the demo county holds 民主评议 and delegates 审核确认 from 2026-09-01


def _surveyed(user, data, day):
    case = services.case_receive(user=user, data=data, today=day)
    case = services.case_check(case=case, user=user, today=day)
    return services.case_survey(case=case, user=user, notes="入户核实")


def _deliberate(case, user, result="agree", day=OCT, **extra):
    values = {"held_on": day, "participants": 9, "result": result, "minutes": "村民代表评议", "today": day}
    return deliberation.case_deliberate(case=case, user=user, **(values | extra))


# ---- 民主评议 --------------------------------------------------------------------------------
def test_deliberation_skipped_where_the_county_does_not_hold_it(register, users, today):
    clerk = users["clerk_a"]
    case = _surveyed(clerk, application(register["sun"]), DAY)  # June 2026: not held yet
    with pytest.raises(WorkflowError, match="本县未组织民主评议"):
        _deliberate(case, clerk, day=DAY)
    case = services.case_publicize(case=case, user=clerk, today=DAY)
    assert case.state == "publicity" and not Deliberation.objects.exists()


def test_deliberation_before_publicity_where_held(register, users, today):
    clerk = users["clerk_a"]
    today(OCT)
    case = _surveyed(clerk, application(register["sun"]), OCT)
    with pytest.raises(WorkflowError, match="请先登记民主评议结果"):
        services.case_publicize(case=case, user=clerk, today=OCT)
    for user, message in ((users["helper_a1"], "无权"), (users["clerk_b"], "管辖范围"), (users["supervisor"], "无权")):
        with pytest.raises(WorkflowError, match=message):
            _deliberate(case, user)
    bad_input = [
        ({"participants": "0"}, "人数"),
        ({"result": "maybe"}, "评议结果"),
        ({"minutes": " "}, "评议记录"),
        ({"held_on": "2026-10-13"}, "晚于今天"),
    ]
    for bad, message in bad_input:
        with pytest.raises(WorkflowError, match=message):
            _deliberate(case, clerk, **bad)
    assert Case.objects.get(pk=case.pk).state == "surveyed" and not Deliberation.objects.exists()
    stale = Case.objects.get(pk=case.pk)
    case = _deliberate(case, clerk, "defer")
    assert case.state == "deliberated"
    with pytest.raises(WorkflowError, match="已被他人处理"):  # the same form sent twice
        _deliberate(stale, clerk, "defer")
    with pytest.raises(WorkflowError, match="暂缓"):
        services.case_publicize(case=case, user=clerk, today=OCT)
    case = _deliberate(case, clerk, "agree")
    with pytest.raises(WorkflowError, match="不能重复登记"):
        _deliberate(case, clerk, "agree")
    assert deliberation.offered(case, ["deliberate", "publicize"], OCT) == ["publicize"]
    case = services.case_publicize(case=case, user=clerk, today=OCT)
    assert case.state == "publicity"
    assert list(Deliberation.objects.values_list("result", flat=True)) == ["defer", "agree"]
    assert list(case.steps.values_list("to_state", flat=True)) == [
        "received",
        "checked",
        "surveyed",
        "deliberated",
        "deliberated",
        "publicity",
    ]


def test_deliberation_form_and_queue(register, users, today, client):
    clerk = users["clerk_a"]
    today(OCT)
    case = _surveyed(clerk, application(register["sun"]), OCT)
    client.force_login(clerk)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="form-deliberate"' in page and 'id="form-publicize"' not in page
    post = {
        "version": case.version,
        "held_on": "2026-10-12",
        "participants": "9",
        "result": "disagree",
        "minutes": "多数代表认为家庭有稳定收入",
    }
    client.post(reverse("cases:act", args=[case.number, "deliberate"]), post)
    again = client.post(reverse("cases:act", args=[case.number, "deliberate"]), post, follow=True).content.decode()
    assert "已被他人处理" in again and Deliberation.objects.count() == 1
    assert "多数代表认为家庭有稳定收入" in again and 'id="form-publicize"' not in again
    mine = client.get(reverse("cases:queue") + "?tab=mine").content.decode()
    assert case.number in mine


# ---- 审批权限下放 and the county's spot-check ---------------------------------------------------
def _confirmed_by_township(users, count, day=dt.date(2026, 10, 20)):
    """`count` new applicants in township A, surveyed by the county, confirmed by clerk_a."""
    staff, clerk = users["staff"], users["clerk_a"]
    cases = []
    for n in range(count):
        data = application(person_id(COUNTY, "19800101", 100 + n), name=f"申请人{n}", hukou="rural")
        case = _surveyed(staff, data, OCT)
        case = services.case_publicize(case=_deliberate(case, staff), user=staff, today=OCT)
        cases.append(decisions.case_approve(case=case, user=clerk, monthly_amount="500", today=day))
    return cases


def test_township_confirms_where_delegated(register, users, today):
    today(OCT)
    (case,) = _confirmed_by_township(users, 1)
    assert case.state == "enrolled" and case.decided_by_township is True and case.household.code.startswith("N")
    # Before the county delegated it (June), the township could not.
    other = _surveyed(users["staff"], application(register["sun"]), DAY)
    other = services.case_publicize(case=other, user=users["staff"], today=DAY)
    with pytest.raises(WorkflowError, match="县级民政部门"):
        decisions.case_approve(case=other, user=users["clerk_a"], today=dt.date(2026, 6, 10))


def test_spot_check_sample_is_reproducible_and_county_only(register, users, today):
    today(OCT)
    cases = _confirmed_by_township(users, 6)
    staff, clerk = users["staff"], users["clerk_a"]
    nov = dt.date(2026, 11, 5)
    with pytest.raises(WorkflowError, match="尚未结束"):
        spotcheck.spot_check_draw(user=staff, month="2026-11", today=nov)
    with pytest.raises(PermissionError):
        spotcheck.spot_check_draw(user=clerk, month="2026-10", today=nov)
    new, size = spotcheck.spot_check_draw(user=staff, month="2026-10", today=nov)
    expected = sorted(cases, key=lambda c: hashlib.sha256(f"{COUNTY}|2026-10|{c.number}".encode()).hexdigest())
    assert size == new == math.ceil(6 * 0.2) == 2  # the demo county's rate, rounded up per township
    drawn = set(SpotCheck.objects.values_list("case__number", flat=True))
    assert drawn == {c.number for c in expected[:2]}
    assert spotcheck.spot_check_draw(user=staff, month="2026-10", today=nov) == (0, 2)  # rerun: same sample
    assert spotcheck.sample(COUNTY, "2026-10", spotcheck.rate_of(COUNTY, "2026-10"))[0][1].number == expected[0].number
    assert spotcheck.spot_checks_for(users["clerk_b"]).count() == 0 and spotcheck.spot_checks_for(clerk).count() == 2
    first, second = SpotCheck.objects.order_by("rank")
    with pytest.raises(PermissionError):
        spotcheck.spot_check_record(user=clerk, check=first, result="correct")
    with pytest.raises(WorkflowError, match="须说明原因"):
        spotcheck.spot_check_record(user=staff, check=second, result="wrong", note="")
    ok = spotcheck.spot_check_record(user=staff, check=first, result="correct", today=nov)
    with pytest.raises(WorkflowError, match="已被他人处理|不能登记"):
        spotcheck.spot_check_record(user=users["staff2"], check=first, result="wrong", note="重复")
    assert ok.state == "correct" and ok.checked_by == staff and ok.review_case is None
    wrong = spotcheck.spot_check_record(user=staff, check=second, result="wrong", note="家庭成员漏报工资收入", today=nov)
    change = wrong.review_case
    assert change.kind == "change" and change.household_id == second.case.household_id and change.state == "received"
    assert change.sources.get().key == f"spotcheck:{second.pk}"


def test_spot_check_pages_scoped(register, users, today, client):
    today(OCT)
    _confirmed_by_township(users, 2)
    today(dt.date(2026, 11, 5))
    spotcheck.spot_check_draw(user=users["staff"], month="2026-10", today=dt.date(2026, 11, 5))
    check = SpotCheck.objects.first()
    url = reverse("cases:spot_checks")
    client.force_login(users["helper_a1"])
    assert client.get(url).status_code == 403
    client.force_login(users["clerk_b"])
    assert check.case.number not in client.get(url + "?month=2026-10").content.decode()
    assert client.post(reverse("cases:spot_check_record", args=[check.pk]), {"result": "correct"}).status_code == 404
    client.force_login(users["clerk_a"])
    assert check.case.number in client.get(url + "?month=2026-10").content.decode()
    assert client.post(url, {"month": "2026-10"}).status_code == 403
    assert client.post(reverse("cases:spot_check_record", args=[check.pk]), {"result": "correct"}).status_code == 403
    client.force_login(users["staff"])
    page = client.get(url + "?month=2026-10").content.decode()
    assert "抽取样本" in page and "cases.spot_check_rate" not in page
    client.post(reverse("cases:spot_check_record", args=[check.pk]), {"result": "correct", "version": check.version})
    assert SpotCheck.objects.get(pk=check.pk).state == "correct"
    assert client.get(url + "?export=xlsx").status_code == 200


# ---- 转办 -------------------------------------------------------------------------------------
def test_referral_sent_answered_and_listed(register, users, today, client):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    sent = referrals.referral_send(
        case=case, user=clerk, kind="medical", department="县医疗保障局", request="申请人患慢性病，请核定医疗救助", today=DAY
    )
    with pytest.raises(WorkflowError, match="不能重复转办"):
        referrals.referral_send(case=case, user=clerk, kind="medical", department="县医疗保障局", request="再次", today=DAY)
    referrals.referral_send(case=case, user=clerk, kind="education", department="县教育局", request="子女就读高中", today=DAY)
    for user, message in ((users["helper_a1"], "无权"), (users["clerk_b"], "管辖范围"), (users["finance"], "无权")):
        with pytest.raises(WorkflowError, match=message):
            referrals.referral_send(case=case, user=user, kind="housing", department="县住建局", request="危房", today=DAY)
    for bad in ({"kind": "x"}, {"department": ""}, {"request": ""}, {"sent_on": "2026-06-09"}):
        values = {"kind": "housing", "department": "县住建局", "request": "危房改造", "sent_on": None} | bad
        with pytest.raises(WorkflowError):
            referrals.referral_send(case=case, user=clerk, today=DAY, **values)
    assert Referral.objects.count() == 2
    waiting = referrals.open_referrals(users["staff"], day=DAY + dt.timedelta(days=9))
    assert [(r.kind, r.waiting) for r in waiting] == [("medical", 9), ("education", 9)]
    assert referrals.open_referrals(users["clerk_b"]) == []
    answered = referrals.referral_answer(
        referral=sent,
        user=clerk,
        answer="已纳入医疗救助，年度限额内报销",
        answered_on="2026-06-05",
        today=DAY + dt.timedelta(days=9),
    )
    assert answered.state == "answered" and answered.answered_on == dt.date(2026, 6, 5)
    with pytest.raises(WorkflowError, match="已被他人处理|不能登记"):
        referrals.referral_answer(referral=sent, user=clerk, answer="重复答复", today=DAY + dt.timedelta(days=9))
    today(DAY + dt.timedelta(days=9))
    client.force_login(users["staff"])
    page = client.get(reverse("cases:referrals")).content.decode()
    assert "县教育局" in page and "9 天" in page and "县医疗保障局" not in page
    exported = client.get(reverse("cases:referrals") + "?export=xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active.values for c in row]
    number = case.applicant_id_number
    assert "县教育局" in cells and number not in cells and any(c[:6] == number[:6] and "*" in c for c in cells)
    detail = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "转办医疗救助（县医疗保障局）" in detail and "转办答复（县医疗保障局）" in detail
    client.force_login(users["helper_a1"])
    assert client.get(reverse("cases:referrals")).status_code == 403
    client.force_login(users["clerk_b"])
    post = {"kind": "housing", "department": "县住建局", "request": "危房"}
    assert client.post(reverse("cases:referral_add", args=[case.number]), post).status_code == 404
    assert Referral.objects.count() == 2


def test_referral_answer_view_double_submission(register, users, today, client):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    sent = referrals.referral_send(case=case, user=clerk, kind="employment", department="县人社局", request="就业援助", today=DAY)
    url = reverse("cases:referral_answer", args=[case.number, sent.pk])
    for other, status in ((users["clerk_b"], 404), (users["helper_a1"], 403), (users["supervisor"], 403)):
        client.force_login(other)
        assert client.post(url, {"version": sent.version, "answer": "越权", "answered_on": "2026-06-01"}).status_code == status
    client.force_login(clerk)
    client.post(url, {"version": sent.version, "answer": "已推荐公益性岗位", "answered_on": "2026-06-01"})
    page = client.post(url, {"version": sent.version, "answer": "再次提交", "answered_on": "2026-06-01"}, follow=True)
    assert "已被他人处理" in page.content.decode()
    assert Referral.objects.get(pk=sent.pk).answer == "已推荐公益性岗位"


def test_a_second_township_clerk_may_confirm_what_another_surveyed(register, users, today):
    """Maker-checker still holds for a township: the clerk who surveyed does not confirm."""
    today(OCT)
    clerk, other = (
        users["clerk_a"],
        user_create(username="clerk_a2", password="pass-a2", role=Role.TOWNSHIP_CLERK, region_code=TOWNSHIP_A),
    )
    case = _surveyed(clerk, application(register["sun"]), OCT)
    case = services.case_publicize(case=_deliberate(case, clerk), user=clerk, today=OCT)
    with pytest.raises(WorkflowError, match="经办与审核分离"):
        decisions.case_approve(case=case, user=clerk, today=dt.date(2026, 10, 20))
    case = decisions.case_approve(case=case, user=other, today=dt.date(2026, 10, 20))
    assert case.decided_by_township
