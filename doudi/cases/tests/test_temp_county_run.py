"""临时救助 granted from the county's fund is paid by the county's 临时救助县级发放 payroll run, not by
the person who granted it (issue 15; docs/cases.md §7, docs/payments.md): one line per case, never
twice (rebuild, next month, after payment), built by one person and checked by another, paid by the
bank's return, shown on the case, counted in the fund ledger; scoped (another township's clerk, a
village helper: 403/404)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from conftest import TOWNSHIP_A, TOWNSHIP_B, person_id
from doudi.cases import services, temp, temp_pay
from doudi.cases.models import Case, CaseStep, TempAssist
from doudi.cases.tests.conftest import DAY
from doudi.cases.tests.test_temp_assist import OUTSIDER, temp_application
from doudi.core.workflow import WorkflowError
from doudi.payments import bankfiles, ledger
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.temp_assist import ITEM
from doudi.payments.tests.conftest import card
from doudi.payments.workflow import TransitionRefused, run_transition

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def county_case(users, amount="2500", id_number=OUTSIDER, **card_fields) -> Case:
    """A non-resident's serious illness, above the township's limit: referred, granted by the county
    from its own fund."""
    clerk = users["clerk_a"]
    data = temp_application(id_number=id_number, cause="illness", tier="serious", requested_amount=amount)
    case = temp.temp_receive(user=clerk, data=data, today=DAY)
    case = services.case_check(case=case, user=clerk, today=DAY)
    case = temp.temp_refer(case=case, user=clerk)
    return temp.temp_grant(case=case, user=users["staff"], amount=amount, paid_by="county", today=DAY, **card_fields)


def through_the_bank(run, users, tmp_path, outcome=("成功", "")):
    run_transition(run=run, action="check", user=users["staff2"])
    run_transition(run=run, action="approve", user=users["finance"])
    bankfiles.bank_send(run=run, user=users["staff"])
    run.refresh_from_db()
    target = tmp_path / f"send-{run.pk}.csv"
    bankfiles.bank_file(run=run, layout="generic", target=target)
    refs = [line.split(",")[0] for line in target.read_text(encoding="utf-8-sig").splitlines()[1:] if line]
    content = "流水号,处理结果,失败原因\n" + "".join(f"{ref},{outcome[0]},{outcome[1]}\n" for ref in refs)
    bankfiles.return_import(run=run, layout="generic", name="回盘.csv", content=content.encode("utf-8"), user=users["staff"])
    run.refresh_from_db()
    return run


def test_a_county_case_is_paid_by_the_run_once(users, today, tmp_path):
    case = county_case(users, bank_name="农村信用社", bank_account=card(7))
    assert (case.temp.paid_by, case.temp.paid_on, case.temp.bank_account) == ("county", DAY, card(7))
    assert not PaymentLine.objects.exists()  # granting pays nothing: the run does
    assert "经发放花名册发放" in CaseStep.objects.filter(case=case).last().reason
    assert temp_pay.statuses([case])[case.number]["code"] == "waiting"

    result = temp_pay.county_run_build(user=users["staff"], period="2026-06")
    run = result["run"]
    assert (run.kind, run.item, run.region_id, run.state, result["no_account"]) == ("temp_assist", ITEM, "140521", "draft", [])
    line = PaymentLine.objects.get(run=run)
    assert (line.holder_key, line.month, line.amount, line.fund, line.payee, line.person_id) == (
        case.number,
        "2026-06",
        Decimal("2500.00"),
        "temp_assist",
        "person",
        None,
    )
    assert (line.payee_id_number, line.bank_account, line.township) == (OUTSIDER, card(7), TOWNSHIP_A)
    assert "已纳入2026-06 临时救助县级发放花名册（草稿）" in temp_pay.statuses([case])[case.number]["label"]

    again = temp_pay.county_run_build(user=users["staff2"], period="2026-06")["run"]  # a rebuild: the same line
    assert again.pk == run.pk and PaymentLine.objects.filter(item=ITEM).count() == 1
    today(dt.date(2026, 7, 1))
    assert temp_pay.county_run_build(user=users["staff"], period="2026-07")["run"] is None  # in June's run already
    assert not PayrollRun.objects.filter(period="2026-07").exists()

    with pytest.raises(TransitionRefused, match="另一人"):
        run_transition(run=run, action="check", user=users["staff"])  # maker-checker: not the builder
    run = through_the_bank(run, users, tmp_path)
    assert run.state == "reconciled" and PaymentLine.objects.get(run=run).status == "paid"
    assert temp_pay.statuses([case])[case.number] == {
        "code": "paid",
        "label": "已到账（2026-06 临时救助县级发放花名册）",
        "run_id": run.pk,
    }
    assert temp_pay.county_run_build(user=users["staff"], period="2026-07")["run"] is None  # paid: never again

    spent = ledger.spending(PaymentLine.objects.all(), by=("item",))
    assert sum(r["amount"] for r in spent if r["item"] == ITEM) == Decimal("2500.00")
    page = login(users["staff"]).get("/cases/" + case.number + "/").content.decode()
    assert "已到账（2026-06 临时救助县级发放花名册）" in page and card(7) not in page
    ledger_page = login(users["staff"]).get("/payments/ledger/").content.decode()
    assert "临时救助县级发放" in ledger_page and "2500.00" in ledger_page, ledger_page[ledger_page.find("ledger-table") :]
    runs_page = login(users["staff"]).get("/payments/runs/").content.decode()
    assert "临时救助县级发放" in runs_page


def test_a_case_granted_after_the_month_waits_and_a_failed_payment_is_paid_again(users, today, tmp_path):
    case = county_case(users, bank_name="农村信用社", bank_account=card(8))
    assert temp_pay.county_run_build(user=users["staff"], period="2026-05")["run"] is None  # granted in June
    run = temp_pay.county_run_build(user=users["staff"], period="2026-06")["run"]
    run = through_the_bank(run, users, tmp_path, outcome=("失败", "账户已销户"))
    status = temp_pay.statuses([case])[case.number]
    assert status["code"] == "failed" and "账户已销户" in status["label"]
    with pytest.raises(WorkflowError, match="县级人员"):
        temp_pay.account_set(case=case, user=users["clerk_a"], bank_name="邮储银行", bank_account=card(9))
    with pytest.raises(WorkflowError, match="无效"):
        temp_pay.account_set(case=case, user=users["staff"], bank_name="邮储银行", bank_account="12345")
    temp_pay.account_set(case=case, user=users["staff"], bank_name="邮储银行", bank_account=card(9))
    today(dt.date(2026, 7, 2))
    second = temp_pay.county_run_build(user=users["staff"], period="2026-07")["run"]
    line = PaymentLine.objects.get(run=second)
    assert (line.bank_account, line.month, line.reissue_of_id) == (card(9), "2026-06", PaymentLine.objects.get(run=run).pk)
    page = login(users["staff"]).get(f"/payments/runs/{second.pk}/").content.decode()
    assert "（补发）" in page  # a re-issue; the grant month before the run's period alone is not 补发


def test_no_card_no_line_until_one_is_given(users, today):
    case = county_case(users)  # a non-resident with no card typed: nothing in the register either
    result = temp_pay.county_run_build(user=users["staff"], period="2026-06")
    assert result == {"run": None, "lines": 0, "no_account": [case.number]}
    staff = login(users["staff"])
    page = staff.get(f"/cases/{case.number}/").content.decode()
    assert "缺少收款银行账号" in page and 'id="temp-form-account"' in page
    response = staff.post(
        f"/cases/{case.number}/temp/account/", {"version": case.version, "bank_name": "农商银行", "bank_account": card(3)}
    )
    assert response.status_code == 302 and TempAssist.objects.get(pk=case.pk).bank_account == card(3)
    response = staff.post("/cases/temp/county-run/", {"period": "2026-06"})
    run = PayrollRun.objects.get(kind="temp_assist")
    assert response.status_code == 302 and response["Location"].endswith(f"/payments/runs/{run.pk}/") and run.lines == 1


def test_bad_input_refused_with_nothing_written(users, today):
    county_case(users, bank_name="农村信用社", bank_account=card(7))
    with pytest.raises(WorkflowError, match="期次"):
        temp_pay.county_run_build(user=users["staff"], period="2026-13")
    with pytest.raises(WorkflowError, match="晚于本月"):
        temp_pay.county_run_build(user=users["staff"], period="2026-07")
    with pytest.raises(WorkflowError, match="县民政局生成"):
        temp_pay.county_run_build(user=users["clerk_a"], period="2026-06")
    with pytest.raises(WorkflowError, match="银行账号"):
        county_case(users, amount="2600", id_number=person_id("140522", "19800101", 3), bank_name="x", bank_account="62284800")
    assert not PayrollRun.objects.exists() and Case.objects.filter(state="granted").count() == 1
    assert Case.objects.filter(state="referred").count() == 1  # the refused grant changed nothing


def test_scoped_another_township_and_a_village_helper(users, today):
    case = county_case(users, bank_name="农村信用社", bank_account=card(7))
    for name in ("clerk_b", "helper_a1", "clerk_a", "finance"):
        assert login(users[name]).post("/cases/temp/county-run/", {"period": "2026-06"}).status_code == 403, name
    assert not PayrollRun.objects.exists()
    register = login(users["staff"]).get("/cases/temp/").content.decode()
    assert 'id="county-run-form"' in register and "待纳入县级发放花名册" in register
    assert 'id="county-run-form"' not in login(users["clerk_a"]).get("/cases/temp/").content.decode()
    run = temp_pay.county_run_build(user=users["staff"], period="2026-06")["run"]
    other = login(users["clerk_b"])
    assert other.get(f"/cases/{case.number}/").status_code == 404
    page = other.get(f"/payments/runs/{run.pk}/").content.decode()  # the county's run: only township B's lines
    assert case.applicant_name not in page
    assert not PaymentLine.objects.filter(run=run, township=TOWNSHIP_B).exists()
    helper = login(users["helper_a1"])
    assert helper.get(f"/payments/runs/{run.pk}/").status_code == 403
    seen = helper.get(f"/cases/{case.number}/").content.decode()  # the helper's own village: the case, read-only
    assert 'id="temp-form-account"' not in seen and card(7) not in seen
    response = login(users["clerk_a"]).post(
        f"/cases/{case.number}/temp/account/", {"version": case.version, "bank_name": "x", "bank_account": card(2)}
    )
    assert response.status_code == 302 and TempAssist.objects.get(pk=case.pk).bank_account == card(7)  # refused
