"""重庆 元旦春节期间困难群众兜底保障有关工作开展情况统计表 (渝民办〔2022〕220号, forwarded by
石民发〔2023〕6号; seed 003). The notice names its annex but does not print it: the rows are
derived from what the notice asks the counties to do, every figure computed from the records:

- 走访慰问 (五): visits recorded in the festival period (人次, distinct persons), and goods handed
  out (慰问品、御寒物资, doudi/services goods) — 慰问金 paid in cash has no record of its own;
- 临时救助 (二): 临时救助 cases paid in the period (doudi/cases) and 临时救助备用金 draws not
  linked to a case (doudi/payments reserve), reversals dated in the period less;
- 提前发放 (一 "鼓励有条件的区县在元旦春节期间提前发放救助金"): regular payroll runs sent to
  the bank in the period before their due date;
- 一次性生活补贴 (一 "或增发一次性生活补贴"): one-off campaign runs sent in the period;
- 价格临时补贴 (一): price-subsidy runs sent in the period;
- 分散供养特困人员 (三): those covered on the last day, of them 生活不能自理 (半失能、全失能:
  the notice's "生活不能自理特困人员" who need 照料), and those visited in the period (动态摸排).

The festival period runs from 元旦 (1 January) to 元宵节 (the 15th day of the first lunar month,
the end of 春节). The period of a table is its reporting date (统计日期, YYYY-MM-DD): the figures
count from 元旦 to that date (or to 元宵 when later), records entered after that date not
counted, so a past date gives the same numbers every time. Due dates: the county's notice
(石民发〔2023〕6号) asks the townships for 1月12日 and 2月8日; the city's (渝民办〔2022〕220号) asks
the counties for 1月15日 and 2月10日."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from doudi.care import selectors as care
from doudi.cases import selectors as cases
from doudi.core.models import Region
from doudi.payments import selectors as payments
from doudi.registry import selectors as registry
from doudi.reports.periods import PeriodError
from doudi.reports.winter import ReportError, region_get, units  # noqa: F401 - region_get re-exported
from doudi.services import selectors as goods

KIND = "festival"
TITLE = "元旦春节期间困难群众兜底保障有关工作开展情况统计表"
# 春节 (正月初一) by Gregorian year; 元宵 is 14 days later. Beyond the table: refused by name.
SPRING_FESTIVAL = {
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}
# (month, day): 石民发〔2023〕6号 for townships, 渝民办〔2022〕220号 for counties and above.
TOWNSHIP_DUES = ((1, 12), (2, 8))
COUNTY_DUES = ((1, 15), (2, 10))
# A table may be made up to this many days after 元宵 (the last report of the season).
GRACE_DAYS = 31
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
WAN = Decimal(10000)

# (key, group header, column header, kind): kind says what the drill-down lists.
COLUMNS = [
    ("visits", "走访慰问", "走访人次（人次）", "visits"),
    ("visited", "走访慰问", "走访人数（人）", "visits"),
    ("gifts", "走访慰问", "发放慰问品、御寒物资（人次）", "goods"),
    ("temp_times", "临时救助", "救助人次（人次）", "temp"),
    ("temp_amount", "临时救助", "救助金额（万元）", "temp"),
    ("early_people", "提前发放救助金", "人数（人）", "early"),
    ("early_amount", "提前发放救助金", "金额（万元）", "early"),
    ("oneoff_people", "增发一次性生活补贴", "人数（人）", "oneoff"),
    ("oneoff_amount", "增发一次性生活补贴", "金额（万元）", "oneoff"),
    ("price_people", "价格临时补贴", "人数（人）", "price"),
    ("price_amount", "价格临时补贴", "金额（万元）", "price"),
    ("tekun", "分散供养特困人员", "人数（人）", "tekun"),
    ("tekun_needy", "分散供养特困人员", "其中生活不能自理（人）", "tekun"),
    ("tekun_visited", "分散供养特困人员", "节日期间走访摸排（人）", "tekun"),
]
FIGURES = {key: f"{group}·{head}" for key, group, head, _ in COLUMNS}
KINDS_OF = {key: kind for key, _, _, kind in COLUMNS}
MONEY = [key for key in FIGURES if key.endswith("_amount")]
COUNTS = [key for key in FIGURES if key not in MONEY]
PENDING = {
    "gifts": "慰问金（现金）尚无发放记录，本栏只计物资发放记录（慰问品、御寒物资）",
    "tekun": "分散供养特困人员照料服务协议尚无记录，照料需求按自理能力（半失能、全失能）计",
}
NOTES = [
    "备注：1、统计时段自元旦起至统计日期（至多到元宵节），人数截至统计日期。",
    "2、乡镇（街道）于1月12日和2月8日报县民政局（石民发〔2023〕6号），区县于1月15日和2月10日报市民政局（渝民办〔2022〕220号）。",
    "3、提前发放指节日期间在应发放日期前报送银行的按月救助金；价格临时补贴、一次性生活补贴按节日期间报送银行的花名册计。",
    "4、金额单位为万元，保留4位小数（精确到元）。",
]
RUN_KINDS = {"early": "regular", "oneoff": "campaign", "price": "price_subsidy"}
NEEDS_CARE = ("partial", "none")


@dataclass(frozen=True)
class Festival:
    """One reporting date of one festival season."""

    code: str  # 2027-01-20
    day: dt.date  # the reporting date: records as of it
    first: dt.date  # 元旦
    spring: dt.date  # 春节
    end: dt.date  # 元宵

    @property
    def last(self) -> dt.date:
        """The last day counted: the reporting date, or 元宵 when the date is later."""
        return min(self.day, self.end)

    @property
    def label(self) -> str:
        return f"{self.first.year}年元旦至{self.last.month}月{self.last.day}日"

    def ended(self, today: dt.date) -> bool:
        return self.day < today

    def due_for(self, level: str) -> dt.date | None:
        """The next due date on or after the day after the reporting date (None after the last)."""
        dues = TOWNSHIP_DUES if level in (Region.Level.TOWNSHIP, Region.Level.VILLAGE) else COUNTY_DUES
        for month, day in dues:
            due = dt.date(self.first.year, month, day)
            if due > self.day:
                return due
        return None

    @property
    def due(self) -> dt.date | None:
        return self.due_for(Region.Level.TOWNSHIP)

    @property
    def recorded_before(self) -> dt.datetime:
        """Records entered after the reporting date do not count (the table is as of that day)."""
        return timezone.make_aware(dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time.min))


def parse_day(text) -> Festival:
    raw = str(text or "").strip()
    match = _DATE.match(raw)
    if not match:
        raise PeriodError(f"统计日期「{raw}」格式不对，应为 YYYY-MM-DD，如 2027-01-20")
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PeriodError(f"统计日期「{raw}」不存在") from None
    spring = SPRING_FESTIVAL.get(day.year)
    if spring is None:
        raise PeriodError(f"系统没有 {day.year} 年的春节日期（已有 {min(SPRING_FESTIVAL)}–{max(SPRING_FESTIVAL)} 年）")
    end = spring + dt.timedelta(days=14)
    if day > end + dt.timedelta(days=GRACE_DAYS):
        raise PeriodError(
            f"统计日期 {day} 不在元旦春节期间（{day.year}年1月1日至元宵节{end.month}月{end.day}日，"
            f"最迟可统计到{(end + dt.timedelta(days=GRACE_DAYS))}）"
        )
    return Festival(day.isoformat(), day, dt.date(day.year, 1, 1), spring, end)


def ended_day(text, today: dt.date) -> Festival:
    festival = parse_day(text)
    if not festival.ended(today):
        raise PeriodError(f"统计日期 {festival.code} 尚未结束，{festival.day + dt.timedelta(days=1)} 起才能生成报表")
    return festival


def season(today: dt.date) -> list[Festival]:
    """The season's reporting dates (the day before each township due date) for the calendar:
    this winter's festival (from December on, next January's)."""
    year = today.year + 1 if today.month >= 7 else today.year
    if year not in SPRING_FESTIVAL:
        return []
    return [parse_day((dt.date(year, m, d) - dt.timedelta(days=1)).isoformat()) for m, d in TOWNSHIP_DUES]


# -- the records behind each figure -----------------------------------------------------------
def visits(code: str, festival: Festival):
    return care.visits_between(code, festival.first, festival.last, festival.recorded_before)


def goods_out(code: str, festival: Festival):
    """Hand-outs (direction out) in the period, entered by the reporting date."""
    return goods.goods_out_between(code, festival.first, festival.last, festival.recorded_before)


def temp_cases(code: str, festival: Festival):
    return cases.temp_paid_between(code, festival.first, festival.last)


def temp_draws(code: str, festival: Festival):
    """备用金 draws not linked to a case (a linked one is counted with its case), and reversals of those."""
    rows = payments.reserve_draws_between(code, festival.first, festival.last)
    return (
        rows.filter(case__isnull=True)
        .filter(Q(reverses__isnull=True) | Q(reverses__case__isnull=True))
        .filter(created_at__lt=festival.recorded_before)
    )


def runs(what: str, code: str, festival: Festival):
    """Runs of kind `what` (early, oneoff, price) sent to the bank in the period; early ones
    only when sent before their due date (a run without a due date: before its first month)."""
    start = timezone.make_aware(dt.datetime.combine(festival.first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(festival.last + dt.timedelta(days=1), dt.time.min))
    found = payments.runs_sent_annotated(code).filter(kind=RUN_KINDS[what], sent_at__gte=start, sent_at__lt=end)
    if what != "early":
        return list(found.order_by("period", "item", "id"))
    out = []
    for run in found.order_by("period", "item", "id"):
        sent = timezone.localtime(run.sent_at).date()
        if (run.due and sent < run.due) or (not run.due and sent < dt.date(int(run.period[:4]), int(run.period[5:]), 1)):
            out.append(run)
    return out


def run_lines(what: str, code: str, festival: Festival):
    return payments.run_lines_in(code, [r.pk for r in runs(what, code, festival)])


def tekun(figure: str, code: str, festival: Festival):
    rows = registry.dispersed_tekun_on(code, festival.last)
    if figure == "tekun_needy":
        return rows.filter(self_care__in=NEEDS_CARE)
    if figure == "tekun_visited":
        return rows.filter(pk__in=visits(code, festival).values("person_id"))
    return rows


# -- the table ---------------------------------------------------------------------------------
def _empty(code: str, name: str) -> dict:
    return {"code": code, "name": name, **{key: 0 for key in COUNTS}, **{key: "0.00" for key in MONEY}}


def _add_money(row: dict, key: str, amount) -> None:
    row[key] = str(Decimal(row[key]) + Decimal(str(amount or 0)))


def compute(region: Region, festival: Festival) -> dict:
    """The whole table as plain JSON-ready data (what a submission freezes); amounts in yuan."""
    rows = {code: _empty(code, name) for code, name in units(region)}
    width = len(next(iter(rows))) if rows else len(region.code)

    def unit(code: str):
        return rows.get((code or "")[:width])

    code = region.code
    for row in visits(code, festival).values("township_code").annotate(n=Count("id"), p=Count("person_id", distinct=True)):
        if unit(row["township_code"]):
            unit(row["township_code"])["visits"] += row["n"]
            unit(row["township_code"])["visited"] += row["p"]
    for row in goods_out(code, festival).values("township_id").annotate(n=Count("id")).order_by():
        if unit(row["township_id"]):
            unit(row["township_id"])["gifts"] += row["n"]
    for row in temp_cases(code, festival).values("case__region_id").annotate(n=Count("case_id"), s=Sum("amount")).order_by():
        if unit(row["case__region_id"]):
            unit(row["case__region_id"])["temp_times"] += row["n"]
            _add_money(unit(row["case__region_id"]), "temp_amount", row["s"])
    draws = (
        temp_draws(code, festival)
        .values("township_id")
        .annotate(
            given=Count("id", filter=Q(reverses__isnull=True)),
            undone=Count("id", filter=Q(reverses__isnull=False)),
            s=Sum("amount"),
        )
        .order_by()
    )
    for row in draws:
        if unit(row["township_id"]):
            unit(row["township_id"])["temp_times"] += row["given"] - row["undone"]
            _add_money(unit(row["township_id"]), "temp_amount", row["s"])
    for what in RUN_KINDS:
        lines = (
            run_lines(what, code, festival)
            .values("township")
            .annotate(p=Count("holder_key", distinct=True), s=Sum("amount"))
            .order_by()
        )
        for row in lines:
            if unit(row["township"]):
                unit(row["township"])[f"{what}_people"] += row["p"]
                _add_money(unit(row["township"]), f"{what}_amount", row["s"])
    for figure in ("tekun", "tekun_needy", "tekun_visited"):
        for row in tekun(figure, code, festival).values("household__region_id").annotate(n=Count("id")).order_by():
            if unit(row["household__region_id"]):
                unit(row["household__region_id"])[figure] += row["n"]
    body = [_finish(row) for row in rows.values()]
    total = _empty(region.code, "合计")
    for row in body:
        for key in COUNTS:
            total[key] += row[key]
        for key in MONEY:
            _add_money(total, key, row[key])
    return {
        "kind": KIND,
        "title": f"{festival.first.year}年{TITLE}",
        "period": festival.code,
        "first": festival.first.isoformat(),
        "last": festival.last.isoformat(),
        "spring": festival.spring.isoformat(),
        "end": festival.end.isoformat(),
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "rows": body,
        "total": _finish(total),
        "pending": PENDING,
    }


def _finish(row: dict) -> dict:
    for key in MONEY:
        row[key] = str(Decimal(row[key]).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return row


def wan(amount_yuan: str) -> Decimal:
    """万元 to four places: exact to the yuan."""
    return (Decimal(amount_yuan) / WAN).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def cell_values(row: dict) -> list:
    """One row in column order: counts as int, amounts as 万元 Decimals."""
    return [wan(row[key]) if key in MONEY else row[key] for key, *_ in COLUMNS]


def drill(figure: str, code: str, festival: Festival):
    """(what, rows) behind a figure of a unit."""
    what = KINDS_OF.get(figure)
    if what is None:
        raise ReportError(f"未知的统计项「{figure}」")
    if what == "visits":
        return what, visits(code, festival).select_related("person").order_by("visited_on", "id")
    if what == "goods":
        return what, goods_out(code, festival).order_by("on", "id")
    if what == "temp":
        return what, {
            "cases": list(temp_cases(code, festival).order_by("paid_on", "case_id")),
            "draws": list(temp_draws(code, festival).order_by("on", "id")),
        }
    if what in RUN_KINDS:
        return "runs", run_lines(what, code, festival).select_related("run").order_by("township", "holder_key", "month")
    return what, tekun(figure, code, festival).select_related("household", "household__region").order_by(
        "household__region_id", "household__code", "id"
    )
