"""Workflow states by role, bank file, return file with failures, re-issue next month."""

import csv
import io
import threading

import pytest
from django.db import connection

from doudi.core.models import User
from doudi.payments import bankfiles
from doudi.payments.models import BankReturn, PaymentLine, PayrollRun, RunTransition
from doudi.payments.payroll import payroll_build
from doudi.payments.tests.conftest import card
from doudi.payments.workflow import TransitionRefused, run_transition
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def approved_run(period="2025-01", item="dibao"):
    payroll_build(period=period, category=item)
    run = PayrollRun.objects.get(item=item, period=period)
    run_transition(run=run, action="check", user=User.objects.get(username="staff"))
    return run_transition(run=run, action="approve", user=User.objects.get(username="finance"))


def send_and_export(run, tmp_path, layout="generic"):
    bankfiles.bank_send(run=run, user=User.objects.get(username="staff"))
    run.refresh_from_db()
    target = tmp_path / f"send-{run.pk}.{'txt' if layout == 'rcc_fixed' else 'csv'}"
    bankfiles.bank_file(run=run, layout=layout, target=target)
    return target


def return_csv(rows):
    lines = ["流水号,处理结果,失败原因"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_each_step_by_its_role_and_recorded(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    run = PayrollRun.objects.get(item="dibao")
    with pytest.raises(TransitionRefused, match="无权审批"):
        run_transition(run=run, action="approve", user=users["staff"])
    with pytest.raises(TransitionRefused, match="无权复核"):
        run_transition(run=run, action="check", user=users["finance"])
    with pytest.raises(TransitionRefused, match="无权"):
        run_transition(run=run, action="check", user=users["clerk_a"])
    run_transition(run=run, action="check", user=users["staff"], reason="已核对")
    with pytest.raises(TransitionRefused, match="须说明原因"):
        run_transition(run=run, action="return", user=users["finance"])
    run_transition(run=run, action="approve", user=users["finance"])
    with pytest.raises(TransitionRefused, match="当前状态为“财政已审批”"):
        run_transition(run=run, action="approve", user=users["finance"])
    steps = list(RunTransition.objects.filter(run=run).values_list("from_state", "to_state", "user__username", "role"))
    assert steps == [
        ("", "draft", None, "system"),
        ("draft", "checked", "staff", "county_staff"),
        ("checked", "approved", "finance", "finance"),
    ]
    with pytest.raises(PermissionError):
        RunTransition.objects.first().delete()


def test_rebuild_after_check_changes_nothing(money_county):
    run = approved_run()
    before = list(PaymentLine.objects.filter(run=run).values_list("pk", "amount"))
    Person.objects.filter(name="户主1").update(bank_account=card(999))
    payroll_build(period="2025-01", category="dibao")
    assert list(PaymentLine.objects.filter(run=run).values_list("pk", "amount")) == before


def test_bank_file_return_with_two_failures_reissued_next_month(money_county, users, tmp_path):
    run = approved_run()
    target = send_and_export(run, tmp_path)
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and {r["收款人"] for r in rows} >= {"户主1", "城镇户主"}
    assert rows[0]["金额"] == "510.00" and rows[0]["银行账号"] == card(1)
    refs = {r["收款人"]: r["流水号"] for r in rows}
    answer = [(refs[n], "成功", "") for n in refs if n not in ("户主2", "户主4")]
    answer += [(refs["户主2"], "失败", "账户已销户"), (refs["户主4"], "失败", "户名不符")]
    result = bankfiles.return_import(run=run, layout="generic", name="回盘.csv", content=return_csv(answer), user=users["staff"])
    assert result == {"paid": 4, "failed": 2, "state": "reconciled"}
    failed = dict(PaymentLine.objects.filter(run=run, status="failed").values_list("holder_key", "failure"))
    assert failed == {"H102": "账户已销户", "H104": "户名不符"}
    # The clerk corrects one card; February's run pays both failures again, January's month kept.
    Person.objects.filter(name="户主2").update(bank_account=card(777))
    payroll_build(period="2025-02", category="dibao")
    feb = PayrollRun.objects.get(item="dibao", period="2025-02")
    reissued = PaymentLine.objects.filter(run=feb, reissue_of__isnull=False)
    assert sorted(reissued.values_list("holder_key", "month", "bank_account")) == [
        ("H102", "2025-01", card(777)),
        ("H104", "2025-01", card(4)),
    ]
    assert feb.lines == 8 and feb.amount == sum(500 + n * 10 for n in range(1, 6)) + 700 + 520 + 540
    payroll_build(period="2025-02", category="dibao")  # rebuilt: still once
    assert PaymentLine.objects.filter(reissue_of__isnull=False).count() == 2


def test_bad_return_files_change_nothing(money_county, users, tmp_path):
    run = approved_run()
    target = send_and_export(run, tmp_path)
    with target.open(encoding="utf-8-sig") as handle:
        refs = [r["流水号"] for r in csv.DictReader(handle)]
    cases = {
        "与花名册不符": [("999-H101", "成功", "")],
        "与第2行重复": [(refs[0], "成功", ""), (refs[0], "失败", "x")],
        "没有这一笔": [(f"{run.pk}-H999", "成功", "")],
        "没有任何数据行": [],
    }
    for message, rows in cases.items():
        with pytest.raises(bankfiles.ReturnRejected, match=message):
            bankfiles.return_import(run=run, layout="generic", name="回盘.csv", content=return_csv(rows), user=users["staff"])
    assert set(PaymentLine.objects.filter(run=run).values_list("status", flat=True)) == {"pending"}
    ok = return_csv([(refs[0], "成功", "")])
    bankfiles.return_import(run=run, layout="generic", name="a.csv", content=ok, user=users["staff"])
    with pytest.raises(bankfiles.ReturnRejected, match="已经导入过"):
        bankfiles.return_import(run=run, layout="generic", name="a.csv", content=ok, user=users["staff"])
    with pytest.raises(bankfiles.ReturnRejected, match="已有回盘结果"):
        bankfiles.return_import(
            run=run,
            layout="generic",
            name="b.csv",
            content=return_csv(
                [
                    (refs[0], "成功", ""),
                ]
            )
            + b"\n",
            user=users["staff"],
        )
    assert BankReturn.objects.count() == 1 and PayrollRun.objects.get(pk=run.pk).state == "sent"


def test_invalid_account_fails_at_send_and_institution_paid_directly(county, users, tmp_path):
    for item in ("dibao", "tekun"):
        run = approved_run(item=item)
        bankfiles.bank_send(run=run, user=users["staff"])
    statuses = dict(PaymentLine.objects.filter(month="2025-01").values_list("item", "failure"))
    assert statuses["dibao"] == bankfiles.ACCOUNT_FAILURE  # the fixture's card fails its check digit


def test_fixed_width_bank_layout_and_return(money_county, users, tmp_path):
    run = approved_run()
    target = send_and_export(run, tmp_path, layout="rcc_fixed")
    records = target.read_bytes().splitlines()
    assert len(records) == 6 and all(len(r) == 40 + 32 + 20 + 15 + 18 for r in records)
    assert records[0][92:107] == b"000000000051000"
    back = b"".join(
        r[:40] + (b"0000" if i else b"E001") + ("余额不足".encode("gbk") if not i else b"").ljust(60) + b"\r\n"
        for i, r in enumerate(records)
    )
    result = bankfiles.return_import(run=run, layout="rcc_fixed", name="RET.TXT", content=back, user=users["staff"])
    assert result["failed"] == 1 and PaymentLine.objects.get(run=run, status="failed").failure == "余额不足"


def test_centralised_tekun_is_paid_to_the_institution(money_county):
    payroll_build(period="2025-01", category="tekun")
    line = PaymentLine.objects.get(holder_key=money_county["central"], month="2025-01")
    assert (line.payee, line.payee_name, line.bank_account) == ("institution", "沁水县中心敬老院", "")


@pytest.mark.django_db(transaction=True)
def test_two_finance_officers_approving_at_once(money_county, users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    payroll_build(period="2025-01", category="dibao")
    run = PayrollRun.objects.get(item="dibao")
    run_transition(run=run, action="check", user=users["staff"])
    barrier, outcomes = threading.Barrier(2), []

    def approve():
        from django.db import connections

        try:
            barrier.wait()
            run_transition(run=PayrollRun.objects.get(pk=run.pk), action="approve", user=users["finance"])
            outcomes.append("ok")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert RunTransition.objects.filter(run=run, to_state="approved").count() == 1


def test_account_check_agrees_with_stdnum():
    from stdnum import luhn

    for account in ("6228480012345678901", card(1), card(777), "622848000000000001", "12345", "6222abc000000000000", ""):
        assert bankfiles.valid_account(account) == (account.isdigit() and 16 <= len(account) <= 19 and luhn.is_valid(account))
    for n in range(3000):  # every length around the valid ones, about a tenth of them valid
        for size in range(14, 21):
            account = f"{n * 2654435761 % 10**size:0{size}d}"
            assert bankfiles.valid_account(account) == (16 <= size <= 19 and luhn.is_valid(account)), account


def test_postgres_copy_writes_what_the_python_writer_writes(money_county, users, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    payroll_build(period="2025-01", category="tekun", through="2025-06")  # months "2025-01至2025-06"
    run = PayrollRun.objects.get(item="tekun")
    run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="approve", user=users["finance"])
    approved = approved_run()
    texts = []
    for r in (run, approved):
        target = send_and_export(r, tmp_path)
        texts.append(target.read_text(encoding="utf-8-sig"))
        layout = bankfiles.layout_get("generic")
        expected = io.StringIO()
        writer = csv.writer(expected, lineterminator="\n")
        writer.writerow([c["header"] for c in layout.columns])
        writer.writerows([row[c["field"]] for c in layout.columns] for row in bankfiles.bank_rows(r))
        assert texts[-1] == expected.getvalue()
    assert "特困甲" in texts[0] and ",7800.00,特困,2025-01至2025-06," in texts[0]


def test_bank_file_carries_the_payees_id_number(money_county, users, tmp_path):
    """A child without a card is paid to the head's card: the file shows the head's ID number."""
    import csv as csv_module

    from doudi.payments.campaigns import campaign_build

    campaign_build(code="jmf2022_38_subsidy")
    run = PayrollRun.objects.get(item="jmf2022_38_subsidy")
    run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="approve", user=users["finance"])
    rows = list(csv_module.DictReader(open(send_and_export(run, tmp_path), encoding="utf-8-sig")))
    child = PaymentLine.objects.get(run=run, name="孩子1")
    row = next(r for r in rows if r["流水号"] == child.bank_ref)
    assert row["身份证号"] == money_county["H101"] and row["收款人"] == "户主1"
    tekun = next(r for r in rows if r["流水号"].endswith(money_county["tekun"]))
    assert tekun["身份证号"] == money_county["tekun"]
