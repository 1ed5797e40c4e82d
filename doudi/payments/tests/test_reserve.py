"""临时救助备用金: allocations and draws move the township's balance once a second person has
confirmed them (test_reserve_check.py: the maker-checker itself); overdraws, double
submissions and other townships are refused; confirmed draws reach the fund ledger; the page
and its export are scoped."""

import datetime as dt
import threading
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, TOWNSHIP_B, person_id
from doudi.core.models import AuditEntry
from doudi.core.workflow import WorkflowError
from doudi.payments import ledger, reserve
from doudi.payments.models import PaymentLine, ReserveBalance, ReserveEntry, ReserveTransition

pytestmark = pytest.mark.django_db
OUTSIDER = person_id("140522", "19750305", 2)  # 阳城县: not in this county's registry (急难发生地)
D = dt.date(2025, 3, 5)


def draw(user, amount, township=TOWNSHIP_A, on=D, token=None, checker=None, **extra):
    """A draw recorded by `user`; confirmed by `checker` when one is given."""
    fields = {
        "recipient_name": "外地务工人员",
        "recipient_id_number": OUTSIDER,
        "cause_type": "emergency",
        "cause": "火灾",
        "advance": True,
    } | extra
    entry, created = reserve.reserve_draw(township=township, amount=amount, on=on, user=user, token=token, **fields)
    if checker is not None and created:
        entry = reserve.reserve_confirm(entry=entry, user=checker)
    return entry, created


def allocate(users, amount, township=TOWNSHIP_A, on=dt.date(2025, 1, 2)):
    """An allocation by staff, confirmed by staff2 (the second person)."""
    entry, created = reserve.reserve_allocate(
        township=township, amount=amount, on=on, ref="沁民发〔2025〕1号", user=users["staff"]
    )
    return reserve.reserve_confirm(entry=entry, user=users["staff2"]), created


def test_allocation_then_draws_reduce_the_balance_once_confirmed(users):
    allocation, _ = reserve.reserve_allocate(
        township=TOWNSHIP_A, amount="10000", on=D, ref="沁民发〔2025〕1号", user=users["staff"]
    )
    assert allocation.state == "pending" and reserve.balance_of(TOWNSHIP_A) == 0  # not yet: 待复核
    reserve.reserve_confirm(entry=allocation, user=users["staff2"])
    entry, created = draw(users["clerk_a"], "3000")
    assert created and entry.fund == "temp_assist" and entry.month == "2025-03" and entry.recipient_id_number == OUTSIDER
    assert entry.state == "pending" and reserve.balance_of(TOWNSHIP_A) == Decimal("10000.00")
    entry = reserve.reserve_confirm(entry=entry, user=users["staff"])
    assert (entry.state, entry.checked_by) == ("confirmed", users["staff"])
    draw(users["staff"], "1500.50", on=dt.date(2025, 4, 1), checker=users["clerk_a"])
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("5499.50")
    row = ReserveBalance.objects.get(township_id=TOWNSHIP_A)
    assert (row.allocated, row.drawn) == (Decimal("10000.00"), Decimal("4500.50"))
    assert AuditEntry.objects.filter(entity="reserve_entry").count() == 6  # each entry recorded and confirmed
    steps = list(ReserveTransition.objects.filter(entry=entry).values_list("from_state", "to_state", "user__username"))
    assert steps == [("", "pending", "clerk_a"), ("pending", "confirmed", "staff")]


def test_overdraw_is_refused_and_nothing_written(users):
    allocate(users, "1000")
    with pytest.raises(reserve.ReserveError, match="余额 1000.00 元，不足支取 1000.01 元"):
        draw(users["clerk_a"], "1000.01")
    assert ReserveEntry.objects.filter(kind="draw").count() == 0 and reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    with pytest.raises(reserve.ReserveError, match="不足支取"):  # a township never allocated
        draw(users["clerk_b"], "1", township=TOWNSHIP_B)
    assert AuditEntry.objects.filter(entity="reserve_entry").count() == 2  # the allocation: recorded, confirmed
    # An allocation waiting for its checker is not money yet.
    reserve.reserve_allocate(township=TOWNSHIP_B, amount="500", on=D, ref="x", user=users["staff"])
    with pytest.raises(reserve.ReserveError, match="余额 0.00 元，不足支取"):
        draw(users["clerk_b"], "1", township=TOWNSHIP_B)


def test_bad_input_is_refused(users):
    allocate(users, "1000")
    for extra, message in (
        ({"recipient_id_number": "14052119750305002"}, "身份证号"),
        ({"cause_type": "x"}, "救助类型"),
        ({"cause": " "}, "事由"),
        ({"recipient_name": ""}, "姓名"),
    ):
        with pytest.raises(reserve.ReserveError, match=message):
            draw(users["clerk_a"], "10", **extra)
    with pytest.raises(reserve.ReserveError, match="大于 0"):
        draw(users["clerk_a"], "-5")
    with pytest.raises(reserve.ReserveError, match=r"资金代码 'no_such' 没有定义负担比例"):
        draw(users["clerk_a"], "10", fund="no_such")
    assert not ReserveEntry.objects.filter(kind="draw").exists() and reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in OUTSIDER)  # typed with a Chinese input method
    entry, _ = draw(users["clerk_a"], "10", recipient_id_number=f" {full_width[:6]} {full_width[6:]} ")
    assert entry.recipient_id_number == OUTSIDER


def test_same_form_twice_records_once(users):
    allocate(users, "1000")
    first, created = draw(users["clerk_a"], "300", token="form-1")
    again, created_again = draw(users["clerk_a"], "300", token="form-1")
    assert created and not created_again and again.pk == first.pk
    assert ReserveEntry.objects.filter(kind="draw").count() == 1 and ReserveTransition.objects.filter(entry=first).count() == 1
    reserve.reserve_confirm(entry=first, user=users["staff"])
    assert draw(users["clerk_a"], "300", token="form-1")[1] is False  # still once after the confirmation
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("700.00") and ReserveEntry.objects.filter(kind="draw").count() == 1


def test_other_township_is_refused(users):
    allocate(users, "1000", township=TOWNSHIP_B)
    with pytest.raises(reserve.ReserveError, match="不在您的管辖范围内"):
        draw(users["clerk_a"], "10", township=TOWNSHIP_B)
    with pytest.raises(reserve.ReserveError, match="角色"):
        reserve.reserve_allocate(township=TOWNSHIP_A, amount="5", on=D, ref="x", user=users["clerk_a"])
    with pytest.raises(reserve.ReserveError, match="角色"):
        draw(users["finance"], "10", township=TOWNSHIP_B)
    assert reserve.balance_of(TOWNSHIP_B) == Decimal("1000.00")


def test_reversal_restores_the_balance_once(users):
    allocation, _ = allocate(users, "1000")
    pending, _ = draw(users["clerk_a"], "100")
    with pytest.raises(reserve.ReserveError, match="待复核，未计入余额，不能冲销"):  # the checker returns it instead
        reserve.reserve_reverse(entry=pending, reason="录错", user=users["clerk_a"])
    entry, _ = draw(users["clerk_a"], "400", checker=users["staff"])
    with pytest.raises(reserve.ReserveError, match="原因"):
        reserve.reserve_reverse(entry=entry, reason="", user=users["clerk_a"])
    reversal = reserve.reserve_reverse(entry=entry, reason="重复录入", user=users["clerk_a"], on=dt.date(2025, 4, 2))
    assert reversal.amount == Decimal("-400.00") and reversal.reverses == entry and reversal.state == "pending"
    assert reserve.balance_of(TOWNSHIP_A) == 600  # the reversal too waits for its checker
    with pytest.raises(reserve.ReserveError, match="已冲销"):
        reserve.reserve_reverse(entry=entry, reason="again", user=users["clerk_a"])
    reserve.reserve_reject(entry=reversal, user=users["staff"], reason="原支取无误，不应冲销")
    assert reserve.balance_of(TOWNSHIP_A) == 600
    reversal = reserve.reserve_reverse(entry=entry, reason="确属重复录入", user=users["clerk_a"], on=dt.date(2025, 4, 3))
    reserve.reserve_confirm(entry=reversal, user=users["staff"])
    assert reserve.balance_of(TOWNSHIP_A) == 1000
    with pytest.raises(reserve.ReserveError, match="已冲销"):
        reserve.reserve_reverse(entry=entry, reason="again", user=users["clerk_a"])
    draw(users["clerk_a"], "800", checker=users["staff"])
    with pytest.raises(reserve.ReserveError, match="不足冲销"):  # the money was drawn
        reserve.reserve_reverse(entry=allocation, reason="错拨", user=users["staff"])
    with pytest.raises(PermissionError):
        entry.save()


def test_draws_in_the_fund_ledger(users):
    allocate(users, "10000")
    allocate(users, "5000", township=TOWNSHIP_B)
    staff = users["staff"]
    draw(users["clerk_a"], "1000", checker=staff)
    draw(users["clerk_a"], "600", on=dt.date(2025, 4, 9), checker=staff)
    draw(users["clerk_b"], "200", township=TOWNSHIP_B, fund="donation", checker=staff)
    reversed_, _ = draw(users["clerk_a"], "50", on=dt.date(2025, 4, 10), checker=staff)
    reversal = reserve.reserve_reverse(entry=reversed_, reason="录错", user=users["clerk_a"], on=dt.date(2025, 4, 11))
    reserve.reserve_confirm(entry=reversal, user=staff)
    draw(users["clerk_a"], "70", on=dt.date(2025, 4, 12))  # 待复核: spent nothing yet
    returned, _ = draw(users["clerk_a"], "90", on=dt.date(2025, 4, 12))
    reserve.reserve_reject(entry=returned, user=staff, reason="收款人身份证号有误")
    rows = ledger.spending(PaymentLine.objects.all(), draws=ReserveEntry.objects.all())
    got = {(r["source"], r["item"], r["township"], r["month"]): r["amount"] for r in rows}
    # fund_shares.temp_assist: central 0.5, province 0.2, city 0.1, county 0.2; allocations are not spending.
    assert got == {
        ("central", "temp_assist", TOWNSHIP_A, "2025-03"): Decimal("500.00"),
        ("province", "temp_assist", TOWNSHIP_A, "2025-03"): Decimal("200.00"),
        ("city", "temp_assist", TOWNSHIP_A, "2025-03"): Decimal("100.00"),
        ("county", "temp_assist", TOWNSHIP_A, "2025-03"): Decimal("200.00"),
        ("central", "temp_assist", TOWNSHIP_A, "2025-04"): Decimal("300.00"),
        ("province", "temp_assist", TOWNSHIP_A, "2025-04"): Decimal("120.00"),
        ("city", "temp_assist", TOWNSHIP_A, "2025-04"): Decimal("60.00"),
        ("county", "temp_assist", TOWNSHIP_A, "2025-04"): Decimal("120.00"),
        ("donation", "temp_assist", TOWNSHIP_B, "2025-03"): Decimal("200.00"),
    }
    assert ledger.spending(PaymentLine.objects.all()) == []  # without draws: the lines' ledger as before


def sheet(client, url, params) -> list[list]:
    response = client.get(url, params | {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_fund_ledger_page_and_export_show_draws(users):
    allocate(users, "10000")
    allocate(users, "5000", township=TOWNSHIP_B)
    draw(users["clerk_a"], "1000", checker=users["staff"])
    draw(users["clerk_b"], "300", township=TOWNSHIP_B, checker=users["staff"])
    draw(users["clerk_b"], "45", township=TOWNSHIP_B)  # 待复核: not in the ledger
    client = Client()
    client.force_login(users["staff"])
    rows = sheet(client, "/payments/ledger/", {"source": "1", "item": "1", "township": "0", "month": "1"})
    assert rows[2:] == [
        ["中央", "临时救助", "2025-03", 650],
        ["市级", "临时救助", "2025-03", 130],
        ["县级", "临时救助", "2025-03", 260],
        ["省级", "临时救助", "2025-03", 260],
        ["合计", None, None, 1300],
    ]  # amounts are number cells
    client.force_login(users["clerk_b"])
    assert sheet(client, "/payments/ledger/", {"source": "0", "township": "1"})[2:] == [
        ["临时救助", "中村镇", "2025-03", 300],
        ["合计", None, None, 300],
    ]
    assert sheet(client, "/payments/ledger/", {"source": "0", "from": "2025-04"})[2:] == [["合计", None, None, 0]]


def test_page_roles_scope_and_export(users):
    allocate(users, "2000")
    allocate(users, "900", township=TOWNSHIP_B)
    draw(users["clerk_a"], "500", checker=users["staff"])
    draw(users["clerk_b"], "100", township=TOWNSHIP_B, recipient_name="中村镇居民", checker=users["staff"])
    client = Client()
    for name, status in (("helper_a1", 403), ("uploader", 403), ("finance", 200), ("supervisor", 200)):
        client.force_login(users[name])
        assert client.get("/payments/reserve/").status_code == status, name
    page = client.get("/payments/reserve/").content.decode()  # supervisor: read-only
    assert "2300.00" in page and "reserve-draw-form" not in page and "reserve-allocation-form" not in page
    assert client.post("/payments/reserve/draw/", {}).status_code == 403
    client.force_login(users["clerk_a"])
    page = client.get("/payments/reserve/").content.decode()
    assert "reserve-draw-form" in page and "reserve-allocation-form" not in page and "中村镇居民" not in page
    assert "临时救助备用金" in page and "1500.00" in page
    assert client.get("/payments/reserve/", {"township": TOWNSHIP_B}).status_code == 404
    other = ReserveEntry.objects.get(township_id=TOWNSHIP_B, kind="draw")
    assert client.post(f"/payments/reserve/{other.pk}/reverse/", {"reason": "x"}).status_code == 404
    rows = sheet(client, "/payments/reserve/", {})
    assert rows[0][0] == "临时救助备用金收支明细" and rows[1][:4] == ["乡镇", "日期", "类型", "金额（元）"]
    assert rows[1][-3:] == ["复核状态", "复核人", "复核意见"]
    assert [r[:5] for r in rows[2:-1]] == [
        ["龙港镇", "2025-03-05", "支取", 500, "外地务工人员"],
        ["龙港镇", "2025-01-02", "下拨/补充", 2000, None],
    ]
    assert rows[2][5] != OUTSIDER and rows[2][5][:6] == "140522" and rows[2][6:9] == ["急难型", "火灾", "是"]
    assert rows[2][-3:-1] == ["已复核", users["staff"].display_name()]
    assert rows[-1][:4] == ["支取合计（已复核）", None, None, 500]
    client.force_login(users["staff"])
    rows = sheet(client, "/payments/reserve/", {"kind": "draw", "month": "2025-03", "township": TOWNSHIP_B})
    assert [r[:4] for r in rows[2:]] == [["中村镇", "2025-03-05", "支取", 100], ["支取合计（已复核）", None, None, 100]]


def form(token, **extra):
    return {
        "token": token,
        "township": TOWNSHIP_A,
        "on": "2025-03-05",
        "recipient_name": "李某",
        "amount": "800",
        "recipient_id_number": OUTSIDER,
        "cause_type": "expense",
        "cause": "住院自付费用",
        "advance": "on",
    } | extra


def test_draw_form_posts_keeps_input_and_records_once(users):
    client = Client()
    client.force_login(users["staff"])
    client.post(
        "/payments/reserve/allocate/",
        {"token": "a1", "township": TOWNSHIP_A, "on": "2025-01-02", "amount": "1000", "ref": "沁民发〔2025〕1号"},
    )
    assert "待另一人复核后计入余额" in client.get("/payments/reserve/").content.decode()
    allocation = ReserveEntry.objects.get(kind="allocation")
    assert reserve.balance_of(TOWNSHIP_A) == 0
    client.force_login(users["staff2"])
    assert client.post(f"/payments/reserve/{allocation.pk}/confirm/", {"note": "已核对拨款文件"}).status_code == 302
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    client.force_login(users["clerk_a"])
    refused = client.post("/payments/reserve/draw/", form("t1", amount="1200"))
    text = refused.content.decode()
    assert refused.status_code == 200 and "不足支取 1200.00 元" in text and 'value="住院自付费用"' in text
    assert 'value="1200"' in text and ReserveEntry.objects.filter(kind="draw").count() == 0
    assert "不在您的管辖范围内" in client.post("/payments/reserve/draw/", form("t2", township=TOWNSHIP_B)).content.decode()
    for _ in range(2):
        assert client.post("/payments/reserve/draw/", form("t3")).status_code == 302
    assert ReserveEntry.objects.filter(kind="draw").count() == 1 and reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    assert "未重复登记" in client.get("/payments/reserve/").content.decode()
    reserve.reserve_confirm(entry=ReserveEntry.objects.get(kind="draw"), user=users["staff"])
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("200.00")
    assert (
        client.post(
            "/payments/reserve/allocate/", {"token": "a2", "township": TOWNSHIP_A, "on": "2025-01-02", "amount": "5", "ref": "x"}
        ).status_code
        == 403
    )


def _at_once(n, work) -> list[str]:
    """Runs work(i) in n threads released together; each outcome: ok, refused, or the error's name."""
    barrier, outcomes = threading.Barrier(n), []

    def attempt(i):
        from django.db import connections

        try:
            barrier.wait()
            work(i)
            outcomes.append("ok")
        except (reserve.ReserveError, WorkflowError):
            outcomes.append("refused")
        except Exception as exc:  # SQLite: a writer that could not get the lock in time
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_cannot_overdraw(users):
    """Four draws of 400 recorded against 1000 (each fits alone); confirmed at once, two pass."""
    allocate(users, "1000")
    drawn = [draw(users["clerk_a"], "400", token=f"c{n}")[0] for n in range(4)]
    outcomes = _at_once(4, lambda i: reserve.reserve_confirm(entry=drawn[i], user=users["staff"]))
    ok = outcomes.count("ok")
    if connection.vendor == "postgresql":  # row lock: the third and fourth see the balance the first two left
        assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    else:  # SQLite: one writer at a time; a writer that waited too long fails, never overdraws
        assert 1 <= ok <= 2, outcomes
    assert reserve.balance_of(TOWNSHIP_A) == Decimal(1000 - 400 * ok)
    assert ReserveEntry.objects.filter(kind="draw", state="confirmed").count() == ok
    assert ReserveEntry.objects.filter(kind="draw", state="pending").count() == 4 - ok  # the refused wait, unchanged
    assert ReserveTransition.objects.filter(to_state="confirmed").count() == ok + 1  # + the allocation


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_that_together_overdraw_exactly_one_wins(users):
    allocate(users, "1000")
    first, _ = draw(users["clerk_a"], "600", token="x1")
    second, _ = draw(users["clerk_a"], "600", token="x2")  # each fits the balance alone
    checkers = [users["staff"], users["staff2"]]
    outcomes = _at_once(2, lambda i: reserve.reserve_confirm(entry=(first, second)[i], user=checkers[i]))
    if connection.vendor == "postgresql":  # the second waits on the balance row, then finds 400 left
        assert sorted(outcomes) == ["ok", "refused"]
    ok = outcomes.count("ok")  # SQLite: a writer may also give up waiting; never both
    assert ok <= 1 and reserve.balance_of(TOWNSHIP_A) == Decimal(1000 - 600 * ok)


@pytest.mark.django_db(transaction=True)
def test_the_same_entry_confirmed_twice_at_once_moves_the_balance_once(users):
    allocate(users, "1000")
    entry, _ = draw(users["clerk_a"], "300")
    checkers = [users["staff"], users["staff2"]]
    outcomes = _at_once(2, lambda i: reserve.reserve_confirm(entry=entry, user=checkers[i]))
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["ok", "refused"]
    ok = outcomes.count("ok")
    assert ok <= 1 and reserve.balance_of(TOWNSHIP_A) == Decimal(1000 - 300 * ok)
    assert ReserveTransition.objects.filter(entry=entry, to_state="confirmed").count() == ok
