"""A new applicant (not in the register, entered at intake with their household): confirming
the case creates the household and its members in the register through the registry's
service (not an import), the benefit starts the month after, and the next payroll pays it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import COUNTY, VILLAGE_A1, person_id
from doudi.cases import decisions, services
from doudi.cases.models import Case
from doudi.cases.tests.conftest import DAY, application
from doudi.core.models import AuditEntry
from doudi.core.workflow import WorkflowError
from doudi.payments.models import PaymentLine
from doudi.payments.payroll import payroll_build
from doudi.registry.models import Benefit, Household, Person

pytestmark = pytest.mark.django_db
APPROVED = dt.date(2026, 6, 20)


def _publicized(users, data):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=data, today=DAY)
    case = services.case_check(case=case, user=clerk, today=DAY)
    case = services.case_survey(case=case, user=clerk, notes="入户核实三口之家，无稳定收入")
    return services.case_publicize(case=case, user=clerk, today=DAY + dt.timedelta(days=1))


def test_new_household_enters_the_register_and_the_next_payroll(register, users, today, client):
    qian, wife, son = person_id(COUNTY, "19850101", 61), person_id(COUNTY, "19860202", 62), person_id(COUNTY, "20150303", 63)
    members = f"李秀英 {wife} 配偶\n钱小明 {son} 子女"
    case = _publicized(users, application(qian, name="钱九", hukou="rural", address="一村 12 号", members=members))
    assert case.household is None and [m["relation"] for m in case.new_household["members"]] == ["head", "spouse", "child"]
    assert not Person.objects.filter(id_number=qian).exists()
    case = decisions.case_approve(case=case, user=users["staff"], monthly_amount="600", today=APPROVED)
    household = Household.objects.get(pk=case.household_id)
    assert household.code == f"N{VILLAGE_A1}-0001" and household.region_id == VILLAGE_A1 and household.hukou == "rural"
    people = {p.name: (p.relation, p.sex, p.birth_date) for p in household.members.all()}
    assert people == {
        "钱九": ("head", "M", dt.date(1985, 1, 1)),
        "李秀英": ("spouse", "F", dt.date(1986, 2, 2)),
        "钱小明": ("child", "M", dt.date(2015, 3, 3)),
    }
    assert case.person.id_number == qian and case.state == "enrolled"
    benefit = Benefit.objects.get(pk=case.benefit_id)
    assert (benefit.household_id, benefit.category, benefit.since, benefit.monthly_amount) == (
        household.pk,
        "dibao",
        dt.date(2026, 7, 1),
        Decimal("600.00"),
    )
    created = AuditEntry.objects.get(entity="household", action="create", household_code=household.code)
    assert case.number in created.reason and created.user == users["staff"]
    client.force_login(users["staff"])
    page = client.get(reverse("household_detail", args=[household.code])).content.decode()
    assert "钱九（户主）、李秀英（配偶）、钱小明（子女）" in page
    payroll_build(period="2026-07", category="dibao")
    line = PaymentLine.objects.get(holder_key=household.code, month="2026-07")
    assert line.amount == Decimal("600.00") and line.item == "dibao" and line.people == 3


def test_new_household_refused_without_hukou_or_with_a_registered_member(register, users, today):
    qian = person_id(COUNTY, "19850101", 61)
    case = _publicized(users, application(qian, name="钱九", members=f"孙七 {register['sun']} 兄弟姐妹"))
    with pytest.raises(WorkflowError, match="请选择户籍性质"):
        decisions.case_approve(case=case, user=users["staff"], monthly_amount="600", today=APPROVED)
    # 孙七 is already in the register: nothing is created, the case stays in 公示.
    with pytest.raises(WorkflowError, match="孙七 已在台账中"):
        decisions.case_approve(
            case=case, user=users["staff"], monthly_amount="600", new_household={"hukou": "urban"}, today=APPROVED
        )
    assert Case.objects.get(pk=case.pk).state == "publicity"
    assert not Household.objects.filter(code__startswith="N").exists() and not Person.objects.filter(id_number=qian).exists()


def test_bad_members_at_intake_refused(register, users, today):
    qian = person_id(COUNTY, "19850101", 61)
    with pytest.raises(services.ApplicationRefused) as refused:
        services.case_receive(user=users["clerk_a"], data=application(qian, name="钱九", members="李秀英 123 配偶"), today=DAY)
    assert "身份证号无效" in refused.value.errors["members"] and not Case.objects.exists()


def test_api_members_create_the_household(register, users, today, client):
    """The API's members (the applicant may be listed too, as head): stored, then created on confirmation."""
    qian, wife = person_id(COUNTY, "19850101", 61), person_id(COUNTY, "19860202", 62)
    body = application(qian, name="钱九", hukou="urban", channel="api")
    body["members"] = [
        {"name": "钱九", "id_number": qian, "relation": "head"},
        {"name": "李秀英", "id_number": wife, "relation": "spouse"},
    ]
    answer = client.post("/api/applications", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(number=answer.json()["number"])
    assert [(m["name"], m["relation"]) for m in case.new_household["members"]] == [("钱九", "head"), ("李秀英", "spouse")]
    body["members"][1]["relation"] = "boss"
    body["id_number"] = person_id(COUNTY, "19870101", 64)
    refused = client.post("/api/applications", body, content_type="application/json")
    assert refused.status_code == 422 and "与申请人关系" in refused.json()["errors"]["members"]
