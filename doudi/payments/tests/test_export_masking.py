"""Payments exports (issue 12, A2/A3): ID numbers and bank accounts masked as on the page
for every role; an unmasked export only for a role allowed to see them, asked for with a
reason, and logged; amounts written as numbers that sum to the page's total; the bank file's
text written as text and formula-like accounts refused."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from doudi.core.models import AuditEntry
from doudi.payments import bankfiles, ledger, price
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import PayrollError
from doudi.payments.workflow import run_transition
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def book(user, url, **params):
    client = Client()
    client.force_login(user)
    response = client.get(url, {"export": "xlsx", **params})
    assert response.status_code == 200, response.content.decode()
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def data_rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


def every_text(sheet) -> str:
    return "|".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


@pytest.fixture
def price_run(money_county):
    price.price_subsidy_run(month="2022-07", cpi="2.7", food="6.3", region="140521")
    return PayrollRun.objects.get(item="price_subsidy")


def test_price_subsidy_lines_masked_for_supervisor_and_finance(price_run, money_county, users):
    numbers = {v for k, v in money_county.items()}
    accounts = set(PaymentLine.objects.filter(run=price_run).exclude(bank_account="").values_list("bank_account", flat=True))
    assert numbers and accounts
    for name in ("supervisor", "finance", "staff"):
        sheet = book(users[name], f"/payments/runs/{price_run.pk}/")
        text = every_text(sheet)
        assert not any(n in text for n in numbers), name
        assert not any(a in text for a in accounts), name
        holders = [r[1].value for r in sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1)]  # without 合计
        assert all(h.startswith("140521") and "*" in h for h in holders), name
    assert not AuditEntry.objects.filter(entity="export").exists()


def test_line_amounts_are_numbers_summing_to_the_page_total(price_run, users):
    sheet = book(users["finance"], f"/payments/runs/{price_run.pk}/")
    amounts = [r[9] for r in sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1)]  # without the 合计 row
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in amounts)
    page_total = sum(t["amount"] for t in ledger.control_totals(PaymentLine.objects.filter(run=price_run)))
    assert Decimal(str(round(sum(c.value for c in amounts), 2))) == page_total == Decimal("428.00")


def test_unmasked_line_export_is_refused_without_permission_or_reason_and_logged_when_allowed(price_run, money_county, users):
    url = f"/payments/runs/{price_run.pk}/"
    client = Client()
    client.force_login(users["supervisor"])
    assert client.get(url, {"export": "xlsx", "unmasked": "1", "reason": "调阅"}).status_code == 403
    client.force_login(users["admin"])
    assert client.get(url, {"export": "xlsx", "unmasked": "1"}).status_code == 400
    assert not AuditEntry.objects.filter(entity="export").exists()
    sheet = book(users["admin"], url, unmasked="1", reason="发放核对")
    text = every_text(sheet)
    assert money_county["urban"] in text and bankfiles.PaymentLine.objects.filter(run=price_run)[0].bank_account in text
    entry = AuditEntry.objects.get(entity="export")
    assert (entry.user, entry.reason, entry.changes["rows"]) == (users["admin"], "发放核对", 13)
    finance = every_text(book(users["finance"], url, unmasked="1", reason="退票核对"))
    assert money_county["urban"] not in finance  # finance may unmask bank accounts only
    assert PaymentLine.objects.get(run=price_run, holder_key=money_county["urban"]).bank_account in finance
    assert AuditEntry.objects.filter(entity="export").count() == 2


def test_overpayment_export_masked_unless_asked(money_county, users):
    _sent(money_county, users)
    ledger.overpayment_record(
        person=Person.objects.get(name="户主1"),
        category="dibao",
        from_month="2025-01",
        reason='=HYPERLINK("http://x")',
        user=users["staff"],
    )
    sheet = book(users["supervisor"], "/payments/overpayments/")
    (row, total) = list(sheet.iter_rows(min_row=3))  # the line and the 合计 row
    assert money_county["H101"] not in every_text(sheet)
    assert row[5].data_type == "s" and row[5].value.startswith("=HYPERLINK")
    assert [c.data_type for c in row[6:9]] == ["n", "n", "n"] and row[6].value == 510
    full = book(users["staff"], "/payments/overpayments/", unmasked="1", reason="追回")
    assert money_county["H101"] in every_text(full)


def test_funds_exports_write_amounts_as_numbers(money_county, users):
    _sent(money_county, users)
    rows = data_rows(book(users["staff"], "/payments/ledger/", source="1", item="0", township="1", month="0"))
    assert rows[-1][0] == "合计" and rows[-1][-1] == 3350
    assert sum(r[-1] for r in rows[:-1]) == pytest.approx(3350)
    client = Client()
    client.force_login(users["staff"])
    client.post("/payments/price-subsidy/", {"month": "2022-07", "cpi": "2.7", "food": "6.3", "released": "2022-08-10"})
    july = data_rows(book(users["staff"], "/payments/price-subsidy/"))[0]
    assert july[2] == 2.7 and july[3] == 6.3 and july[10] == 428
    runs = data_rows(book(users["staff"], "/payments/runs/"))
    assert all(isinstance(r[6], (int, float)) for r in runs)


def _sent(money_county, users):
    from doudi.payments.payroll import payroll_build

    payroll_build(period="2025-01", category="dibao")
    run = PayrollRun.objects.get(item="dibao")
    run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="approve", user=users["finance"])
    bankfiles.bank_send(run=run, user=users["staff"])
    run.refresh_from_db()
    return run


def test_bank_xlsx_amounts_are_numbers_and_text_stays_text(money_county, users, tmp_path):
    run = _sent(money_county, users)
    PaymentLine.objects.filter(run=run, name="户主1").update(payee_name="=1+1")
    target = tmp_path / "bank.xlsx"
    bankfiles.bank_file(run=run, layout="generic_xlsx", target=target)
    sheet = load_workbook(target).active
    header = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3))
    amount, account, name = header.index("金额"), header.index("银行账号"), header.index("收款人")
    assert all(r[amount].data_type == "n" and r[amount].number_format == "0.00" for r in rows)
    assert sum(r[amount].value for r in rows) == pytest.approx(
        float(sum(line.amount for line in PaymentLine.objects.filter(run=run).exclude(bank_ref="")))
    )
    assert all(r[account].data_type == "s" for r in rows)
    payee = next(r[name] for r in rows if r[name].value == "=1+1")
    assert payee.data_type == "s"


def test_bank_file_refuses_formula_like_or_control_accounts(money_county, users, tmp_path):
    run = _sent(money_county, users)
    line = PaymentLine.objects.filter(run=run).exclude(bank_ref="").first()
    for bad in ("=6228480000000000001", "@SUM(1)", "62284800\x0700000001"):
        PaymentLine.objects.filter(pk=line.pk).update(bank_account=bad)
        for layout in ("generic_xlsx", "generic"):
            with pytest.raises(PayrollError, match="银行账号"):
                bankfiles.bank_file(run=run, layout=layout, target=tmp_path / f"bank-{layout}")
