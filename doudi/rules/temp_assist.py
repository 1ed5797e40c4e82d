"""临时救助 decisions (docs/domain.md §5; DEMANDS RUL-11, RUL-12, TMP-4, TMP-5, TMP-8, TMP-9, TMP-12, TMP-13):
who may be helped for which cause, the most a tier allows, who approves an amount, and the
one-off for 未参保失业人员. Framework-free, Decimal only; every number is a dated parameter
(`temp_assist.*` in doudi/rules/schema.py) read through the `entry(name)` function the caller
passes (doudi.rules.policy.parameter for the case's region and day), so each line of the
explanation can cite its 文号.

Governing text:
- 晋民发〔2022〕38号 §7: 急难型 (火灾、交通事故等意外事件，突发重大疾病，其他特殊困难) and 支出型
  (子女接受学前、高中和全日制大中专院校教育（不含自费择校生）、医疗等必需支出突然增加超出家庭承受
  能力); 遭遇重大生活困难的，采用“一事一议”方式提高救助额度.
- 晋民发〔2022〕38号 §8: 连续三个月无收入来源、失业保险无法覆盖、未纳入低保的未参保失业人员，
  一次性临时救助金不低于当地农村低保月标准; §9 生活困难未就业大学生，未纳入低保的.
- 沁政办发〔2021〕7号 §六: 临时救助县、乡两级审批; 渝民办〔2022〕220号 §二: 适当提高疫情严重地区
  乡镇临时救助备用金下拨额度和审批额度 (temp_assist.township_limit_raised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from doudi.rules.errors import RulesError

CENT = Decimal("0.01")

KINDS = {"emergency": "急难型", "expense": "支出型"}
# cause → (label, kind). The named groups of §8 and §9 are 急难型 causes with their own tests.
CAUSES = {
    "fire": ("火灾", "emergency"),
    "accident": ("交通事故等意外事件", "emergency"),
    "illness": ("突发重大疾病", "emergency"),
    "disaster": ("自然灾害", "emergency"),
    "epidemic": ("疫情影响", "emergency"),
    "other_emergency": ("其他特殊困难", "emergency"),
    "unemployed": ("未参保失业人员生活困难", "emergency"),
    "graduate": ("未就业大学生生活困难", "emergency"),
    "medical": ("医疗支出超出家庭承受能力", "expense"),
    "education": ("教育支出超出家庭承受能力", "expense"),
}
TIERS = {"general": "一般困难", "serious": "较大困难", "major": "重大困难"}
EDUCATION_LEVELS = {
    "preschool": "学前教育",
    "high_school": "高中（含中职）",
    "college": "全日制大中专院校",
    "compulsory": "义务教育",
    "other": "其他",
}
EDUCATION_COVERED = ("preschool", "high_school", "college")
APPROVALS = {"township": "乡镇（街道）审批", "county": "县级审批", "conference": "县级“一事一议”"}


@dataclass
class Request:
    township: str  # 9 digits: the place of the emergency's township
    cause: str
    tier: str = "general"
    amount: Decimal | None = None  # proposed; None: only the limits are computed
    expense: Decimal | None = None  # 支出型: the self-paid necessary spending
    household_income_12m: Decimal | None = None  # 支出型: the household's income over 12 months
    education_level: str = ""
    self_chosen_school: bool = False  # 自费择校
    months_without_income: int | None = None  # 未参保失业人员
    unemployment_insured: bool = False
    in_dibao: bool = False


@dataclass
class Decision:
    eligible: bool
    kind: str
    reasons: list[str]
    basis: str
    standard: Decimal  # the monthly standard the multiples apply to
    ceiling: Decimal  # the tier's most, without 一事一议
    minimum: Decimal  # the least (the §8 one-off), 0 otherwise
    township_limit: Decimal
    county_limit: Decimal
    raised: bool  # the county raised this township's limit for now
    approval: str | None  # township / county / conference for `amount`; None without an amount
    suggested: Decimal | None
    lines: list[str] = field(default_factory=list)
    refs: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        plain = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}
        return plain


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def raised_multiple(items, township: str) -> Decimal | None:
    """The multiple a county set for this township in temp_assist.township_limit_raised."""
    found = [Decimal(item.partition(":")[2]) for item in items if item.partition(":")[0] == township]
    return max(found) if found else None


def decide(request: Request, entry: Callable[[str], object]) -> Decision:
    """The decision for one request. `entry(name)` returns the parameter's Entry (value, ref,
    start) in force for the case's region and day."""
    if request.cause not in CAUSES:
        raise RulesError(f"未知的临时救助事由「{request.cause}」，应为：{'、'.join(c[0] for c in CAUSES.values())}")
    if request.tier not in TIERS:
        raise RulesError(f"未知的困难程度「{request.tier}」，应为：{'、'.join(TIERS.values())}")
    used: dict[str, object] = {}

    def value(name: str):
        found = entry(name)
        used[name] = found
        return found.value

    label, kind = CAUSES[request.cause]
    basis = value("temp_assist.standard_basis")
    standard = Decimal(value(f"dibao.standard.{basis}"))
    rural = Decimal(value("dibao.standard.rural"))
    ceiling = _yuan(standard * Decimal(value(f"temp_assist.tier.{request.tier}")))
    township_multiple = Decimal(value("temp_assist.township_limit"))
    raised = raised_multiple(value("temp_assist.township_limit_raised"), request.township)
    is_raised = raised is not None and raised > township_multiple
    township_limit = _yuan(standard * (raised if is_raised else township_multiple))
    county_limit = _yuan(standard * Decimal(value("temp_assist.county_limit")))
    county_limit = max(county_limit, township_limit)  # a raised township limit never exceeds the county's own
    reasons: list[str] = []
    lines = [
        f"事由：{label}（{KINDS[kind]}），困难程度：{TIERS[request.tier]}。",
        f"月标准 {standard} 元（{'农村' if basis == 'rural' else '城市'}低保标准）；该档救助上限 {ceiling} 元"
        f"（{value(f'temp_assist.tier.{request.tier}')} 倍）。",
        f"乡镇审批额度 {township_limit} 元{'（县级已提高该乡镇额度）' if is_raised else ''}，县级审批额度 {county_limit} 元，"
        f"以上须县级“一事一议”。",
    ]
    minimum = Decimal(0)
    suggested = None
    if kind == "expense":
        share = Decimal(value("temp_assist.expense_share"))
        spent, income = request.expense, request.household_income_12m
        if spent is None or spent <= 0:
            reasons.append("未填写需自付的必需支出金额")
        elif income is None:
            reasons.append("未填写家庭近12个月收入，无法判断是否超出家庭承受能力")
        elif spent < _yuan(income * share):
            reasons.append(
                f"必需支出 {spent} 元低于家庭近12个月收入 {income} 元的 {share} 倍（{_yuan(income * share)} 元），"
                "未超出家庭承受能力"
            )
        else:
            lines.append(f"必需支出 {spent} 元，不低于家庭近12个月收入 {income} 元的 {share} 倍，超出家庭承受能力。")
        if request.cause == "education":
            if request.education_level not in EDUCATION_COVERED:
                shown = EDUCATION_LEVELS.get(request.education_level, request.education_level or "未填写")
                reasons.append(f"教育支出限于学前、高中和全日制大中专院校教育（填写的是：{shown}）")
            if request.self_chosen_school:
                reasons.append("自费择校生的教育支出不在支出型临时救助范围内")
    if request.cause == "unemployed":
        months = int(value("temp_assist.unemployed.months"))
        if request.months_without_income is None or request.months_without_income < months:
            reasons.append(f"连续无收入来源不满 {months} 个月")
        if request.unemployment_insured:
            reasons.append("已参加失业保险，由失业保险政策保障")
        minimum = _yuan(rural * Decimal(value("temp_assist.unemployed.multiple")))
        ceiling = max(ceiling, minimum)
        suggested = minimum
        lines.append(
            f"未参保失业人员一次性临时救助金不低于农村低保月标准 {rural} 元 × "
            f"{value('temp_assist.unemployed.multiple')} = {minimum} 元。"
        )
    if request.cause in ("unemployed", "graduate") and request.in_dibao:
        reasons.append("已纳入低保，按低保保障")
    approval = None
    amount = request.amount
    if amount is not None:
        if amount <= 0:
            reasons.append("救助金额应大于 0 元")
        elif amount < minimum:
            reasons.append(f"救助金额 {amount} 元低于一次性救助金标准 {minimum} 元")
        if amount > county_limit or amount > ceiling:
            approval = "conference"
        elif amount > township_limit:
            approval = "county"
        else:
            approval = "township"
        over = "，超过该档上限" if amount > ceiling else ""
        lines.append(f"拟救助 {amount} 元{over}，由{APPROVALS[approval]}。")
    if reasons:
        lines.append("不符合：" + "；".join(reasons) + "。")
    refs = [
        {
            "name": name,
            "value": str(e.value) if not isinstance(e.value, tuple) else "、".join(e.value),
            "ref": e.ref,
            "from": str(e.start),
        }
        for name, e in used.items()
    ]
    return Decision(
        not reasons,
        kind,
        reasons,
        basis,
        standard,
        ceiling,
        minimum,
        township_limit,
        county_limit,
        is_raised,
        approval,
        suggested,
        lines,
        refs,
    )


def approval_for(amount: Decimal, decision: Decision) -> str:
    """Who approves this amount under the decision's limits."""
    if amount > decision.county_limit or amount > decision.ceiling:
        return "conference"
    return "county" if amount > decision.township_limit else "township"
