"""附件2 保障困难群众温暖过冬情况统计表 (临民发【2024】22号, seed 004), computed from the
records, never typed: one row per unit (the townships of a county, the counties of a city;
a township's table has its own row) and a 合计 row.

As of the week's last day (Sunday):
- 低保, 特困对象, 困境儿童 (the benefit part), 其他困难群众: persons covered by a benefit in
  force that day (registry.selectors.persons_covered_on); 其他 are 低保边缘 and 低收入
  (监测) persons not already counted as 低保 or 特困 (附件1: 低保边缘户、刚性支出家庭、防返贫监测户);
- 特殊困难老年人, 困境儿童 (the flag part): special-group flags set by that day (care);
Within the week (Monday–Sunday):
- 救助人次, 支出金额: 临时救助备用金 draws (payments), less reversals dated in the week;
- 其他救助方式: in-kind winter goods (炉具、煤、棉衣、棉被、电热毯) handed out that week
  (doudi.services goods), one person-time per hand-out of a kind to a person;
- 发现/解决急难愁盼问题数: problems found on visits that week / solved that week (care).
Every count is of distinct persons; a person counts in each group they are in, except 其他."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from doudi.care import groups as care_groups
from doudi.care import selectors as care
from doudi.core.bulk import no_jit
from doudi.core.models import Region
from doudi.payments import selectors as payments
from doudi.registry import selectors as registry
from doudi.reports.periods import Week

KIND = "winter-weekly"
TITLE = "保障困难群众温暖过冬情况统计表"
PERSON_FIGURES = {
    "dibao": "低保",
    "tekun": "特困对象",
    "elderly": "特殊困难老年人",
    "children": "困境儿童",
    "other": "其他困难群众",
}
EVENT_FIGURES = {
    "assist_times": "救助人次",
    "amount": "支出金额",
    "inkind_times": "其他救助方式",
    "found": "发现问题",
    "solved": "解决问题",
}
FIGURES = {**PERSON_FIGURES, **EVENT_FIGURES}
# 附件2 备注2 names the kinds; doudi holds no record of goods handed out yet.
INKIND = {"stove": "取暖炉具", "coal": "取暖煤", "clothing": "棉衣", "quilt": "棉被", "blanket": "电热毯"}
PENDING: dict[str, str] = {}  # figures without a source yet (none since the goods hand-outs landed)

DIBAO = ("dibao", "dibao_single")
CHILD_BENEFITS = ("orphan", "unsupported_child")
# 附件1 困境儿童（孤儿、事实无人抚养儿童）and 其他困境儿童; 农村留守儿童 are cared for but are not 困境儿童.
CHILD_FLAGS = ("child_orphan", "child_unsupported", "child_other")
OTHER = ("dibao_edge", "low_income")
CHILD_LEVEL = {
    Region.Level.PROVINCE: Region.Level.CITY,
    Region.Level.CITY: Region.Level.COUNTY,
    Region.Level.COUNTY: Region.Level.TOWNSHIP,
}
WAN = Decimal(10000)


class ReportError(ValueError):
    """A table that cannot be made (unknown region, wrong level); Chinese message."""


def region_get(code: str) -> Region:
    code = str(code or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ReportError(f"区划代码「{code}」不存在")
    if region.level == Region.Level.VILLAGE:
        raise ReportError(f"{region.name}（{code}）是村（社区），本表由乡镇（街道）及以上填报")
    return region


def units(region: Region) -> list[tuple[str, str]]:
    """The table's rows: the region's children one level down, or the township itself."""
    if region.level == Region.Level.TOWNSHIP:
        return [(region.code, region.name)]
    rows = Region.objects.filter(code__startswith=region.code, level=CHILD_LEVEL[region.level]).order_by("code")
    return list(rows.values_list("code", "name"))


def persons(figure: str, code: str, day: dt.date):
    """The persons behind a person figure (a Person queryset), for counting and for the list."""
    covered = registry.persons_covered_on
    if figure == "dibao":
        return covered(code, day, DIBAO)
    if figure == "tekun":
        return covered(code, day, ("tekun",))
    if figure == "elderly":
        return care.persons_flagged_on(code, care_groups.ELDERLY, day)
    if figure == "children":
        return covered(code, day, CHILD_BENEFITS) | care.persons_flagged_on(code, CHILD_FLAGS, day)
    if figure == "other":
        counted = covered(code, day, DIBAO + ("tekun",)).values("pk")
        return covered(code, day, OTHER).exclude(pk__in=counted)
    raise ReportError(f"未知的统计项「{figure}」")


def draws(code: str, week: Week):
    return payments.reserve_draws_between(code, week.first, week.last)


def inkind(code: str, week: Week) -> dict[str, dict[str, int]]:
    """In-kind hand-outs of the week (doudi.services): {township: {kind: person-times}}."""
    from doudi.services.selectors import inkind_between

    return inkind_between(code, week.first, week.last)


def inkind_rows(code: str, week: Week):
    """The hand-outs behind 其他救助方式 (the table's five kinds), for the drill-down list."""
    from doudi.services.selectors import goods_out_between

    return goods_out_between(code, week.first, week.last).filter(kind__in=list(INKIND))


def problems(figure: str, code: str, week: Week):
    if figure == "found":
        return care.problems_found_between(code, week.first, week.last)
    return care.problems_solved_between(code, week.first, week.last)


def _empty(code: str, name: str) -> dict:
    return {
        "code": code,
        "name": name,
        **{key: 0 for key in PERSON_FIGURES},
        "assist_times": 0,
        "amount_yuan": "0.00",
        "inkind": {key: 0 for key in INKIND},
        "inkind_times": 0,
        "found": 0,
        "solved": 0,
    }


def compute(region: Region, week: Week) -> dict:
    """The whole table as plain JSON-ready data (what a submission freezes)."""
    with no_jit():
        return _compute(region, week)


def _compute(region: Region, week: Week) -> dict:
    rows = {code: _empty(code, name) for code, name in units(region)}
    width = len(next(iter(rows))) if rows else len(region.code)

    def unit(code: str):
        return rows.get(code[:width])

    for figure in PERSON_FIGURES:
        counts = persons(figure, region.code, week.last).values("household__region_id").annotate(n=Count("id"))
        for row in counts:
            if unit(row["household__region_id"]):
                unit(row["household__region_id"])[figure] += row["n"]
    money = (
        draws(region.code, week)
        .values("township_id")
        .annotate(
            given=Count("id", filter=Q(reverses__isnull=True)),
            undone=Count("id", filter=Q(reverses__isnull=False)),
            total=Sum("amount"),
        )
    )
    for row in money:
        if unit(row["township_id"]):
            target = unit(row["township_id"])
            target["assist_times"] += row["given"] - row["undone"]
            target["amount_yuan"] = str(Decimal(target["amount_yuan"]) + Decimal(str(row["total"] or 0)))
    for township, kinds in inkind(region.code, week).items():
        if unit(township):
            for kind, times in kinds.items():
                if kind in INKIND:  # the five kinds the table names; rice, oil, masks are not among them
                    unit(township)["inkind"][kind] += times
    for figure in ("found", "solved"):
        for row in problems(figure, region.code, week).values("township_code").annotate(n=Count("id")):
            if unit(row["township_code"]):
                unit(row["township_code"])[figure] += row["n"]
    body = [_finish(row) for row in rows.values()]
    total = _finish(_sum(body, region))
    return {
        "kind": KIND,
        "title": TITLE,
        "period": week.code,
        "first": week.first.isoformat(),
        "last": week.last.isoformat(),
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "rows": body,
        "total": total,
        "pending": PENDING,
    }


def _sum(body: list[dict], region: Region) -> dict:
    total = _empty(region.code, "合计")
    for row in body:
        for key in (*PERSON_FIGURES, "assist_times", "inkind_times", "found", "solved"):
            total[key] += row[key]
        for key in INKIND:
            total["inkind"][key] += row["inkind"][key]
        total["amount_yuan"] = str(Decimal(total["amount_yuan"]) + Decimal(row["amount_yuan"]))
    return total


def _finish(row: dict) -> dict:
    amount = Decimal(row["amount_yuan"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    row["amount_yuan"] = str(amount)
    # 万元 to four places is exact to the yuan: two places would round 500 元 to 0.05 万元.
    row["amount_wan"] = str((amount / WAN).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    row["inkind_kinds"] = "、".join(label for key, label in INKIND.items() if row["inkind"][key])
    row["inkind_times"] = sum(row["inkind"].values())
    return row


def wan(row: dict) -> Decimal:
    return Decimal(row["amount_wan"])
