"""A second person on the 临时救助备用金 (issue 12 B): every entry waits 待复核 until a different
permitted user confirms or returns it; the maker may not (unless the county switches
`duties.separate` off, still recorded as a step); other townships and lesser roles are refused;
the page and the home to-do offer the entries to the right people; a draw its 临时救助 case
has checked (another person did the case's 核对) moves the balance at once."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B, person_id
from doudi.core.models import AuditEntry
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.core.workflow import WorkflowError
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry, ReserveTransition

pytestmark = pytest.mark.django_db
OUTSIDER = person_id("140522", "19750305", 2)
D = dt.date(2025, 3, 5)


def _allocation(users, amount="1000", township=TOWNSHIP_A, token=None):
    entry, _ = reserve.reserve_allocate(
        township=township, amount=amount, on=D, ref="沁民发〔2025〕1号", user=users["staff"], token=token
    )
    return entry


def _draw(user, amount="300", township=TOWNSHIP_A, token=None):
    fields = {"recipient_name": "外地务工人员", "recipient_id_number": OUTSIDER, "cause_type": "emergency", "cause": "火灾"}
    entry, _ = reserve.reserve_draw(township=township, amount=amount, on=D, user=user, token=token, **fields)
    return entry


def _funded(users, township=TOWNSHIP_A, amount="1000"):
    return reserve.reserve_confirm(entry=_allocation(users, amount, township), user=users["staff2"])


def separation_off(tmp_path, monkeypatch):
    """The county's own parameter file with `duties.separate: false` (as test_duties.py does)."""
    import doudi.rules.parameters as tree

    shipped = Path(tree.__file__).parent / "parameters" / "14" / "140521.yaml"
    folder = tmp_path / "policy"
    folder.mkdir()
    text = shipped.read_text(encoding="utf-8") + (
        '  duties.separate:\n    unit: bool\n    values: [{from: 2020-01-01, value: false, ref: "沁民发〔2026〕1号（测试）"}]\n'
    )
    (folder / "140521.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(folder))


def test_the_maker_may_neither_confirm_nor_return_their_own_entry(users):
    allocation = _allocation(users)
    for act in (
        lambda: reserve.reserve_confirm(entry=allocation, user=users["staff"]),
        lambda: reserve.reserve_reject(entry=allocation, user=users["staff"], reason="录错"),
    ):
        with pytest.raises(WorkflowError, match="须由另一人(复核|退回)（经办与审核分离）"):
            act()
    allocation.refresh_from_db()
    assert allocation.state == "pending" and reserve.balance_of(TOWNSHIP_A) == 0
    assert ReserveTransition.objects.filter(entry=allocation).count() == 1  # only 待复核, by its maker
    reserve.reserve_confirm(entry=allocation, user=users["staff2"], note="已核对拨款文件")
    entry = _draw(users["clerk_a"])
    with pytest.raises(WorkflowError, match="须由另一人复核"):
        reserve.reserve_confirm(entry=entry, user=users["clerk_a"])
    with pytest.raises(WorkflowError, match="无权复核备用金下拨记录"):  # a clerk confirms no allocation
        reserve.reserve_confirm(entry=_allocation(users, "5"), user=users["clerk_a"])
    entry = reserve.reserve_confirm(entry=entry, user=users["admin"])
    assert (entry.state, entry.checked_by, reserve.balance_of(TOWNSHIP_A)) == ("confirmed", users["admin"], Decimal("700.00"))
    steps = list(ReserveTransition.objects.filter(entry=allocation).values_list("to_state", "user__username", "reason"))
    assert steps == [("pending", "staff", "登记下拨"), ("confirmed", "staff2", "已核对拨款文件")]
    assert AuditEntry.objects.filter(entity="reserve_entry", entity_key=str(allocation.pk)).count() == 2


def test_a_returned_entry_never_moves_the_balance(users):
    _funded(users)
    entry = _draw(users["clerk_a"], "400")
    with pytest.raises(WorkflowError, match="须说明原因"):
        reserve.reserve_reject(entry=entry, user=users["staff"], reason=" ")
    entry = reserve.reserve_reject(entry=entry, user=users["staff"], reason="收款人身份证号与申请不符")
    assert (entry.state, entry.check_note) == ("rejected", "收款人身份证号与申请不符")
    with pytest.raises(WorkflowError, match="当前状态为“已退回”"):
        reserve.reserve_confirm(entry=entry, user=users["staff2"])
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")


def test_a_county_that_switches_separation_off_lets_the_maker_confirm(users, tmp_path, monkeypatch):
    separation_off(tmp_path, monkeypatch)
    allocation = reserve.reserve_confirm(entry=_allocation(users), user=users["staff"])
    entry = reserve.reserve_confirm(entry=_draw(users["clerk_a"]), user=users["clerk_a"])
    assert (allocation.state, entry.state, reserve.balance_of(TOWNSHIP_A)) == ("confirmed", "confirmed", Decimal("700.00"))
    # Still two steps on record, both by the same person.
    steps = list(ReserveTransition.objects.filter(entry=entry).values_list("from_state", "to_state", "user__username"))
    assert steps == [("", "pending", "clerk_a"), ("pending", "confirmed", "clerk_a")]


def test_the_decide_url_refuses_other_townships_and_lesser_roles(users):
    _funded(users)
    _funded(users, TOWNSHIP_B)
    entry = _draw(users["clerk_a"])
    allocation = _allocation(users, "5")
    client = Client()
    for name, status in (("clerk_b", 404), ("finance", 403), ("supervisor", 403), ("helper_a1", 403), ("uploader", 403)):
        client.force_login(users[name])
        for action in ("confirm", "reject"):
            response = client.post(f"/payments/reserve/{entry.pk}/{action}/", {"note": "x"})
            assert response.status_code == status, (name, action)
    client.force_login(users["clerk_a"])
    assert client.post(f"/payments/reserve/{allocation.pk}/confirm/").status_code == 403  # draws only
    response = client.post(f"/payments/reserve/{entry.pk}/confirm/", follow=True)  # their own: refused, said why
    assert "须由另一人复核" in response.content.decode()
    assert client.post(f"/payments/reserve/{entry.pk}/approve/").status_code == 404
    assert ReserveEntry.objects.filter(state="pending").count() == 2 and reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    client.force_login(users["staff"])
    assert client.post(f"/payments/reserve/{entry.pk}/reject/", {"note": ""}, follow=True).status_code == 200
    assert ReserveEntry.objects.get(pk=entry.pk).state == "pending"  # a return needs its reason
    page = client.post(f"/payments/reserve/{entry.pk}/confirm/", follow=True).content.decode()
    assert "已复核支取 300.00 元（龙港镇），余额 700.00 元" in page
    assert client.post(f"/payments/reserve/{entry.pk}/confirm/", follow=True).status_code == 200  # twice: refused
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("700.00")


def _count(page: str, label: str) -> int | None:
    match = re.search(r'<div class="n">([\d,]+)</div><div class="l">' + re.escape(label) + "</div>", page)
    return int(match.group(1).replace(",", "")) if match else None


def test_page_and_home_offer_the_entries_to_the_second_person(users):
    _funded(users)
    _funded(users, TOWNSHIP_B)
    mine = _draw(users["clerk_a"], "120")
    _allocation(users, "800", TOWNSHIP_B)
    client = Client()
    client.force_login(users["clerk_a"])
    page = client.get("/payments/reserve/").content.decode()
    assert 'id="reserve-waiting"' not in page  # their own draw is not theirs to check; B's allocation is not theirs at all
    assert "待复核" in page and "120.00" in page
    assert _count(client.get(reverse("home")).content.decode(), "备用金待复核") is None
    client.force_login(users["staff"])  # the allocation is staff's own: only the draw
    page = client.get("/payments/reserve/").content.decode()
    waiting = page.split('id="reserve-waiting"')[1].split("</section>")[0]
    assert "待您复核（1 笔）" in waiting and f"/payments/reserve/{mine.pk}/confirm/" in waiting
    assert _count(client.get(reverse("home")).content.decode(), "备用金待复核") == 1
    client.force_login(users["staff2"])
    assert _count(client.get(reverse("home")).content.decode(), "备用金待复核") == 2
    assert "待您复核（2 笔）" in client.get("/payments/reserve/").content.decode()
    client.force_login(users["supervisor"])  # reads, confirms nothing
    page = client.get("/payments/reserve/").content.decode()
    assert 'id="reserve-waiting"' not in page and "reserve-decide" not in page
    assert _count(client.get(reverse("home")).content.decode(), "备用金待复核") is None
    rows = client.get("/payments/reserve/", {"state": "pending"}).content.decode()
    assert rows.count('class="reserve-state state-pending"') == 2


def test_a_draw_paid_by_a_case_another_person_checked_moves_the_balance_at_once(users, monkeypatch):
    from doudi.cases import services, temp

    day = dt.date(2026, 6, 1)
    monkeypatch.setattr("doudi.cases.clock.today", lambda: day)
    clerk2 = user_create(username="clerk_a2", password="pass-clerk_a2", role=Role.TOWNSHIP_CLERK, region_code=TOWNSHIP_A)
    reserve.reserve_confirm(
        entry=reserve.reserve_allocate(township=TOWNSHIP_A, amount="10000", on=dt.date(2026, 1, 5), ref="x", user=users["staff"])[
            0
        ],
        user=users["staff2"],
    )
    data = {
        "id_number": OUTSIDER,
        "name": "外地务工人员",
        "region": "140521100201",
        "reason": "租住房屋失火",
        "channel": "window",
        "cause": "fire",
        "tier": "general",
        "incident_on": "2026-05-30",
        "hukou_place": "阳城县",
    }
    case = services.case_check(
        case=temp.temp_receive(user=users["clerk_a"], data=data, today=day), user=users["clerk_a"], today=day
    )
    temp.temp_grant(case=case, user=clerk2, amount="800", today=day)  # clerk_a checked the case, clerk_a2 approves it
    entry = ReserveEntry.objects.get(case=case)
    assert (entry.state, entry.checked_by, entry.created_by) == ("confirmed", clerk2, clerk2)
    assert "已由clerk_a经办，随案件审批复核" in entry.check_note and reserve.balance_of(TOWNSHIP_A) == Decimal("9200.00")
    # One person alone (receives and pays 先行救助): the draw waits for a second person.
    other = dict(data, id_number=person_id("140522", "19800101", 5), name="另一位", cause="fire")
    alone = temp.temp_advance(
        case=temp.temp_receive(user=users["clerk_a"], data=other, today=day), user=users["clerk_a"], amount="500", today=day
    )
    waiting = ReserveEntry.objects.get(case=alone)
    assert waiting.state == "pending" and reserve.balance_of(TOWNSHIP_A) == Decimal("9200.00")
    with pytest.raises(WorkflowError, match="须由另一人复核"):
        reserve.reserve_confirm(entry=waiting, user=users["clerk_a"])
    reserve.reserve_confirm(entry=waiting, user=clerk2)
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("8700.00")
