"""Demo money for the demo county (idempotent): last month's 低保 payroll taken through
check, finance approval, the bank file and a return file with two failures, so this
month's build shows them re-issued; the 2022-07 price index (food +6.3%) and a recent month's
(demo values, so a run sits near today); the two
晋民发〔2022〕38号 campaigns as drafts; every township's 临时救助备用金 allocated by `staff` and
confirmed by `staff2` (money needs a second person), and in the first township a draw by its
clerk confirmed by `staff2`, a second draw and a 补充 still waiting for their checker (one to a
person from outside the county, 急难发生地)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from doudi.core import idnumber
from doudi.core.models import Region, User
from doudi.payments import bankfiles, months, reserve
from doudi.payments.campaigns import campaign_build
from doudi.payments.models import PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.payments.price import price_subsidy_run
from doudi.payments.workflow import run_transition

DEMO_COUNTY = "140521"


def build_demo(*, seed: int, stdout, stderr) -> None:
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        return
    from doudi.core.demo import demo_users

    demo_users()
    staff, finance = User.objects.get(username="staff"), User.objects.get(username="finance")
    last_month = months.add(months.of(dt.date.today()), -1)
    if not PayrollRun.objects.filter(item="dibao", period=last_month, region_id=DEMO_COUNTY).exists():
        stderr.write(f"[进度] 演示：{last_month} 低保花名册、代发文件和回盘\n")
        payroll_build(period=last_month, category="dibao", region=DEMO_COUNTY, user=staff)
        run = PayrollRun.objects.get(item="dibao", period=last_month, region_id=DEMO_COUNTY)
        through_the_bank(
            run, staff, User.objects.get(username="staff2"), finance, failures={1: "账户已销户", 2: "户名与账号不符"}
        )
    if not PayrollRun.objects.filter(item="price_subsidy", period="2022-07").exists():
        price_subsidy_run(month="2022-07", cpi="2.7", food="6.3", region=DEMO_COUNTY, released=dt.date(2022, 8, 10), user=staff)
    recent = _recent_price_month()
    if not PayrollRun.objects.filter(item="price_subsidy", period=recent).exists():
        # A month near the demo's today, so the price-subsidy page has a run in its deadline
        # (the indices are demo values: food +6.4% triggers the subsidy).
        released = months.first_day(months.add(recent, 1)).replace(day=10)
        price_subsidy_run(month=recent, cpi="2.4", food="6.4", region=DEMO_COUNTY, released=released, user=staff)
    for code in ("jmf2022_38_subsidy", "jmf2022_38_voucher"):
        if not PayrollRun.objects.filter(item=code).exists():
            campaign_build(code=code, region=DEMO_COUNTY, user=staff)
    township = _reserve_demo(staff, User.objects.get(username="staff2"))
    stdout.write(
        f"资金发放演示数据已就绪：{last_month} 低保花名册已对账（2笔失败待补发），2022-07 与 {recent} 价格临时补贴、两项一次性发放已生成"
        + (f"，各乡镇临时救助备用金已下拨并复核，{township}支取一笔已复核、一笔支取和一笔补充待复核" if township else "")
        + "。\n"
    )


def _recent_price_month(today: dt.date | None = None) -> str:
    """The latest month whose price index is out by today (released about the 10th of the next)."""
    today = today or dt.date.today()
    return months.add(months.of(today), -1 if today.day >= 10 else -2)


def _reserve_demo(staff, checker) -> str:
    """Every township's reserve: 20000 allocated by `staff`, confirmed by `checker`; in the first
    township a draw by its clerk (confirmed), a second draw and a 补充 waiting for their checker.
    Idempotent by the entries' tokens (a step done before is skipped)."""
    townships = list(Region.objects.filter(parent_id=DEMO_COUNTY, level=Region.Level.TOWNSHIP).order_by("code"))
    if not townships:
        return ""
    first = dt.date.today().replace(day=1)
    for township in townships:
        entry, created = reserve.reserve_allocate(
            township=township.code,
            amount="20000",
            on=first,
            ref="沁民发〔演示〕1号 临时救助备用金下拨",
            user=staff,
            token=f"demo-reserve-allocation-{township.code}",
        )
        if created:
            reserve.reserve_confirm(entry=entry, user=checker, note="演示：已核对下拨文件")
    township = townships[0]
    clerk = User.objects.filter(role="township_clerk", region_id=township.code).order_by("username").first() or staff
    draws = [
        ("王某", idnumber.with_check_digit("14052219750305002"), "2000", "emergency", "住房失火，临时生活困难", True),
        ("李某", idnumber.with_check_digit(f"{DEMO_COUNTY}19680712003"), "1500", "expense", "住院医疗自付费用较高", False),
    ]
    for n, (name, number, amount, cause_type, cause, advance) in enumerate(draws, start=1):
        entry, created = reserve.reserve_draw(
            township=township.code,
            amount=amount,
            on=first,
            recipient_name=name,
            recipient_id_number=number,
            cause_type=cause_type,
            cause=cause,
            advance=advance,
            user=clerk,
            token=f"demo-reserve-draw-{n}",
        )
        if created and n == 1:  # the second waits for its checker
            reserve.reserve_confirm(entry=entry, user=checker, note="演示：材料齐全")
    reserve.reserve_allocate(
        township=township.code,
        amount="5000",
        on=first,
        ref="沁民发〔演示〕2号 临时救助备用金补充",
        user=staff,
        token="demo-reserve-top-up",
    )
    return township.name


def through_the_bank(
    run: PayrollRun,
    staff,
    checker,
    finance,
    *,
    failures: dict[int, str] | None = None,
    why: tuple[str, str] = ("已复核", "同意拨付"),
) -> None:
    """A demo run checked by `checker`, approved by `finance`, sent by `staff` and reconciled from
    a return file in which the lines numbered in `failures` failed with their reason (the
    relief demo, doudi/services/demo_relief.py, pays everyone)."""
    failures = failures or {}
    run_transition(run=run, action="check", user=checker, reason=f"演示：{why[0]}")
    run_transition(run=run, action="approve", user=finance, reason=f"演示：{why[1]}")
    bankfiles.bank_send(run=run, user=staff)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "send.csv"
        bankfiles.bank_file(run=run, layout="generic", target=target)
        with target.open(encoding="utf-8-sig") as handle:
            refs = [row["流水号"] for row in csv.DictReader(handle)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["流水号", "处理结果", "失败原因"])
    for index, ref in enumerate(refs):
        writer.writerow([ref, "失败" if index in failures else "成功", failures.get(index, "")])
    bankfiles.return_import(run=run, layout="generic", name="演示回盘.csv", content=buffer.getvalue().encode("utf-8"), user=staff)
