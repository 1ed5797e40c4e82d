"""核销 of an overpayment (issue 12 B): proposed by one person with a reason, approved by a
different county-level person (unless the county switches `duties.separate` off); the open
amount (amount − recovered) is written off; recovered or written-off ones are refused; the
list filters 待核销审批 and totals what was written off; other townships and lesser roles
are refused; everything is audited."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from doudi.core.models import AuditEntry
from doudi.core.workflow import WorkflowError
from doudi.payments import ledger, writeoff
from doudi.payments.models import Overpayment, OverpaymentTransition
from doudi.payments.runs import PayrollError
from doudi.payments.tests.test_reserve_check import separation_off
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def overpaid(users, name="户主1", monthly="510") -> Overpayment:
    """Three months paid after a death, counted at the held amount (no lines needed)."""
    return ledger.overpayment_record(
        person=Person.objects.get(name=name),
        category="dibao",
        from_month="2025-01",
        through_month="2025-03",
        monthly=monthly,
        reason="死亡未及时停发",
        user=users["staff"],
    )


def test_one_proposes_another_approves_the_open_amount(money_county, users):
    record = overpaid(users)
    assert record.amount == Decimal("1530.00")
    ledger.recovery_record(overpayment=record, amount="30", user=users["staff"], note="家属退回")
    with pytest.raises(WorkflowError, match="申请核销多发款项须说明原因"):
        writeoff.writeoff_propose(overpayment=record, user=users["staff"], reason=" ")
    record = writeoff.writeoff_propose(
        overpayment=record, user=users["staff"], reason="本人已死亡，无遗产可供追回", ref="沁民发〔2025〕9号"
    )
    assert record.state == "writeoff" and record.written_off == 0
    with pytest.raises(WorkflowError, match="须由另一人审批核销（经办与审核分离）"):
        writeoff.writeoff_approve(overpayment=record, user=users["staff"])
    assert Overpayment.objects.get(pk=record.pk).state == "writeoff"
    record = writeoff.writeoff_approve(overpayment=record, user=users["staff2"], note="同意", ref="沁民发〔2025〕10号")
    assert (record.state, record.written_off, writeoff.open_amount(record)) == ("waived", Decimal("1500.00"), 0)
    steps = list(OverpaymentTransition.objects.filter(overpayment=record).values_list("from_state", "to_state", "user__username"))
    assert steps == [("partial", "writeoff", "staff"), ("writeoff", "waived", "staff2")]
    approved = OverpaymentTransition.objects.get(to_state="waived")
    assert approved.data == {"written_off": "1500.00", "ref": "沁民发〔2025〕10号"}
    audit = AuditEntry.objects.filter(entity="overpayment", entity_key=str(record.pk)).order_by("id")
    assert [list(a.changes) for a in audit][-2:] == [["state", "writeoff_proposed"], ["state", "written_off"]]
    assert audit.last().changes["written_off"] == ["0.00", "1500.00"] and audit.last().household_code == "H101"
    # Written off: neither a second write-off nor a recovery.
    with pytest.raises(WorkflowError, match="当前状态为“已核销”，不能申请核销"):
        writeoff.writeoff_propose(overpayment=record, user=users["staff2"], reason="x")
    with pytest.raises(PayrollError, match="已核销"):
        ledger.recovery_record(overpayment=record, amount="1", user=users["staff"])


def test_a_recovered_overpayment_is_not_written_off(money_county, users):
    record = overpaid(users)
    ledger.recovery_record(overpayment=record, amount="1530", user=users["staff"])
    with pytest.raises(WorkflowError, match="当前状态为“已追回”，不能申请核销"):
        writeoff.writeoff_propose(overpayment=Overpayment.objects.get(pk=record.pk), user=users["staff"], reason="x")
    # Recovered in full while the write-off waits: the proposal ends, recorded; nothing to approve.
    other = writeoff.writeoff_propose(overpayment=overpaid(users, "户主2", "520"), user=users["staff"], reason="无力偿还")
    ledger.recovery_record(overpayment=other, amount="1560", user=users["admin"], note="一次退回")
    other = Overpayment.objects.get(pk=other.pk)
    assert other.state == "recovered" and other.written_off == 0
    last = OverpaymentTransition.objects.filter(overpayment=other).last()
    assert (last.from_state, last.to_state, last.reason) == ("writeoff", "recovered", "已全部追回，核销申请不再办理")
    with pytest.raises(WorkflowError, match="当前状态为“已追回”"):
        writeoff.writeoff_approve(overpayment=other, user=users["staff2"])


def test_a_recovery_while_waiting_lowers_what_is_written_off_and_a_return_goes_back(money_county, users):
    record = writeoff.writeoff_propose(overpayment=overpaid(users), user=users["staff"], reason="家庭无力偿还")
    ledger.recovery_record(overpayment=record, amount="100", user=users["staff"])
    assert Overpayment.objects.get(pk=record.pk).state == "writeoff"  # still waiting
    with pytest.raises(WorkflowError, match="退回核销多发款项须说明原因"):
        writeoff.writeoff_return(overpayment=record, user=users["staff2"], reason="")
    record = writeoff.writeoff_return(overpayment=record, user=users["staff2"], reason="请先联系家属分期退回")
    assert record.state == "partial"
    record = writeoff.writeoff_propose(overpayment=record, user=users["staff2"], reason="家属明确无力退回")
    record = writeoff.writeoff_approve(overpayment=record, user=users["admin"])
    assert (record.state, record.recovered, record.written_off) == ("waived", Decimal("100.00"), Decimal("1430.00"))


def test_a_county_that_switches_separation_off_lets_the_proposer_approve(money_county, users, tmp_path, monkeypatch):
    separation_off(tmp_path, monkeypatch)
    record = writeoff.writeoff_propose(overpayment=overpaid(users), user=users["staff"], reason="无法追回")
    record = writeoff.writeoff_approve(overpayment=record, user=users["staff"])
    assert record.state == "waived"
    assert list(OverpaymentTransition.objects.values_list("user__username", flat=True)) == ["staff", "staff"]


def test_urls_refuse_lesser_roles_and_other_townships(money_county, users):
    record = overpaid(users)  # township A
    client = Client()
    for name in ("clerk_a", "clerk_b", "finance", "supervisor", "helper_a1", "uploader"):
        client.force_login(users[name])
        for action in ("propose", "approve", "return"):
            response = client.post(f"/payments/overpayments/{record.pk}/writeoff/{action}/", {"reason": "x", "note": "x"})
            assert response.status_code == 403, (name, action)
    for name in ("helper_a1", "uploader"):  # no payroll reading at all
        client.force_login(users[name])
        assert client.get(f"/payments/overpayments/{record.pk}/").status_code == 403, name
    client.force_login(users["clerk_b"])  # reads only their township's
    assert client.get(f"/payments/overpayments/{record.pk}/").status_code == 404
    assert "户主1" not in client.get("/payments/overpayments/").content.decode()
    client.force_login(users["clerk_a"])
    page = client.get(f"/payments/overpayments/{record.pk}/").content.decode()
    assert "户主1" in page and "writeoff-propose" not in page and "writeoff-decide" not in page
    assert Overpayment.objects.get(pk=record.pk).state == "open" and not OverpaymentTransition.objects.exists()


def _count(page: str, label: str) -> int | None:
    match = re.search(r'<div class="n">([\d,]+)</div><div class="l">' + re.escape(label) + "</div>", page)
    return int(match.group(1).replace(",", "")) if match else None


def test_pages_filter_history_totals_and_home(money_county, users):
    record = overpaid(users)
    overpaid(users, "户主4", "540")
    client = Client()
    client.force_login(users["staff"])
    page = client.post(
        f"/payments/overpayments/{record.pk}/writeoff/propose/",
        {"reason": "本人死亡，无遗产", "ref": "沁民发〔2025〕9号"},
        follow=True,
    ).content.decode()
    assert "已申请核销 1530.00 元，待另一人审批" in page and "同意核销" not in page  # not the proposer's to approve
    assert "撤回申请" in page  # but theirs to withdraw
    assert (
        "申请核销须写明原因"
        in client.post(f"/payments/overpayments/{record.pk}/writeoff/propose/", {}, follow=True).content.decode()
    )
    assert _count(client.get(reverse("home")).content.decode(), "多发款项待核销审批") is None
    listing = client.get("/payments/overpayments/", {"state": "writeoff"}).content.decode()
    assert "户主1" in listing and "户主4" not in listing and "待核销审批" in listing
    client.force_login(users["staff2"])
    assert _count(client.get(reverse("home")).content.decode(), "多发款项待核销审批") == 1
    detail = client.get(f"/payments/overpayments/{record.pk}/").content.decode()
    assert "writeoff-decide" in detail and "申请核销 1530.00 元" in detail and "沁民发〔2025〕9号" in detail
    page = client.post(
        f"/payments/overpayments/{record.pk}/writeoff/approve/", {"note": "同意核销"}, follow=True
    ).content.decode()
    assert "已审批核销，累计核销 1530.00 元" in page and "核销 1530.00 元" in page and "已核销" in page
    totals = client.get("/payments/overpayments/").content.decode()
    assert (
        "多发合计 <strong>3150.00</strong> 元，已追回 <strong>0.00</strong> 元，已核销 <strong>1530.00</strong> 元，未追回 <strong>1620.00</strong> 元"
        in totals
    )
    assert _count(client.get(reverse("home")).content.decode(), "多发款项待核销审批") is None
