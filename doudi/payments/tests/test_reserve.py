"""临时救助备用金: allocations and draws move the township's balance; overdraws, double
submissions and other townships are refused; draws reach the fund ledger; the page and
its export are scoped."""

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
from doudi.payments import ledger, reserve
from doudi.payments.models import PaymentLine, ReserveBalance, ReserveEntry

pytestmark = pytest.mark.django_db
OUTSIDER = person_id("140522", "19750305", 2)  # 阳城县: not in this county's registry (急难发生地)
D = dt.date(2025, 3, 5)


def draw(user, amount, township=TOWNSHIP_A, on=D, token=None, **extra):
    fields = {
        "recipient_name": "外地务工人员",
        "recipient_id_number": OUTSIDER,
        "cause_type": "emergency",
        "cause": "火灾",
        "advance": True,
    } | extra
    return reserve.reserve_draw(township=township, amount=amount, on=on, user=user, token=token, **fields)


def allocate(users, amount, township=TOWNSHIP_A, on=dt.date(2025, 1, 2)):
    return reserve.reserve_allocate(township=township, amount=amount, on=on, ref="沁民发〔2025〕1号", user=users["staff"])


def test_allocation_then_draws_reduce_the_balance(users):
    allocate(users, "10000")
    entry, created = draw(users["clerk_a"], "3000")
    assert created and entry.fund == "temp_assist" and entry.month == "2025-03" and entry.recipient_id_number == OUTSIDER
    draw(users["staff"], "1500.50", on=dt.date(2025, 4, 1))
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("5499.50")
    row = ReserveBalance.objects.get(township_id=TOWNSHIP_A)
    assert (row.allocated, row.drawn) == (Decimal("10000.00"), Decimal("4500.50"))
    assert AuditEntry.objects.filter(entity="reserve_entry").count() == 3


def test_overdraw_is_refused_and_nothing_written(users):
    allocate(users, "1000")
    with pytest.raises(reserve.ReserveError, match="余额 1000.00 元，不足支取 1000.01 元"):
        draw(users["clerk_a"], "1000.01")
    assert ReserveEntry.objects.filter(kind="draw").count() == 0 and reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    with pytest.raises(reserve.ReserveError, match="不足支取"):  # a township never allocated
        draw(users["clerk_b"], "1", township=TOWNSHIP_B)
    assert AuditEntry.objects.filter(entity="reserve_entry").count() == 1


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
    entry, _ = draw(users["clerk_a"], "400")
    with pytest.raises(reserve.ReserveError, match="原因"):
        reserve.reserve_reverse(entry=entry, reason="", user=users["clerk_a"])
    reversal = reserve.reserve_reverse(entry=entry, reason="重复录入", user=users["clerk_a"], on=dt.date(2025, 4, 2))
    assert reversal.amount == Decimal("-400.00") and reversal.reverses == entry and reserve.balance_of(TOWNSHIP_A) == 1000
    with pytest.raises(reserve.ReserveError, match="已冲销"):
        reserve.reserve_reverse(entry=entry, reason="again", user=users["clerk_a"])
    draw(users["clerk_a"], "800")
    with pytest.raises(reserve.ReserveError, match="不足冲销"):  # the money was drawn
        reserve.reserve_reverse(entry=allocation, reason="错拨", user=users["staff"])
    with pytest.raises(PermissionError):
        entry.save()


def test_draws_in_the_fund_ledger(users):
    allocate(users, "10000")
    allocate(users, "5000", township=TOWNSHIP_B)
    draw(users["clerk_a"], "1000")
    draw(users["clerk_a"], "600", on=dt.date(2025, 4, 9))
    draw(users["clerk_b"], "200", township=TOWNSHIP_B, fund="donation")
    reversed_, _ = draw(users["clerk_a"], "50", on=dt.date(2025, 4, 10))
    reserve.reserve_reverse(entry=reversed_, reason="录错", user=users["clerk_a"], on=dt.date(2025, 4, 11))
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
    draw(users["clerk_a"], "1000")
    draw(users["clerk_b"], "300", township=TOWNSHIP_B)
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
    draw(users["clerk_a"], "500")
    draw(users["clerk_b"], "100", township=TOWNSHIP_B, recipient_name="中村镇居民")
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
    assert [r[:5] for r in rows[2:-1]] == [
        ["龙港镇", "2025-03-05", "支取", 500, "外地务工人员"],
        ["龙港镇", "2025-01-02", "下拨/补充", 2000, None],
    ]
    assert rows[2][5] != OUTSIDER and rows[2][5][:6] == "140522" and rows[2][6:9] == ["急难型", "火灾", "是"]
    assert rows[-1][:4] == ["支取合计", None, None, 500]
    client.force_login(users["staff"])
    rows = sheet(client, "/payments/reserve/", {"kind": "draw", "month": "2025-03", "township": TOWNSHIP_B})
    assert [r[:4] for r in rows[2:]] == [["中村镇", "2025-03-05", "支取", 100], ["支取合计", None, None, 100]]


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
    assert reserve.balance_of(TOWNSHIP_A) == Decimal("1000.00")
    client.force_login(users["clerk_a"])
    refused = client.post("/payments/reserve/draw/", form("t1", amount="1200"))
    text = refused.content.decode()
    assert refused.status_code == 200 and "不足支取 1200.00 元" in text and 'value="住院自付费用"' in text
    assert 'value="1200"' in text and ReserveEntry.objects.filter(kind="draw").count() == 0
    assert "不在您的管辖范围内" in client.post("/payments/reserve/draw/", form("t2", township=TOWNSHIP_B)).content.decode()
    for _ in range(2):
        assert client.post("/payments/reserve/draw/", form("t3")).status_code == 302
    assert ReserveEntry.objects.filter(kind="draw").count() == 1 and reserve.balance_of(TOWNSHIP_A) == Decimal("200.00")
    assert "未重复登记" in client.get("/payments/reserve/").content.decode()
    assert (
        client.post(
            "/payments/reserve/allocate/", {"token": "a2", "township": TOWNSHIP_A, "on": "2025-01-02", "amount": "5", "ref": "x"}
        ).status_code
        == 403
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_cannot_overdraw(users):
    allocate(users, "1000")
    barrier, outcomes = threading.Barrier(4), []

    def attempt(n):
        from django.db import connections

        try:
            barrier.wait()
            draw(users["clerk_a"], "400", token=f"c{n}")
            outcomes.append("ok")
        except reserve.ReserveError:
            outcomes.append("refused")
        except Exception as exc:  # SQLite: a writer that could not get the lock in time
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = outcomes.count("ok")
    if connection.vendor == "postgresql":  # row lock: the third and fourth see the balance the first two left
        assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    else:  # SQLite: one writer at a time; a writer that waited too long fails, never overdraws
        assert 1 <= ok <= 2, outcomes
    assert reserve.balance_of(TOWNSHIP_A) == Decimal(1000 - 400 * ok)
    assert ReserveEntry.objects.filter(kind="draw").count() == ok
