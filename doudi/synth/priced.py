"""Held amounts as the county's rules compute them.

The synthetic register should look like a county's real one: the categories people hold
are drawn by the generator (with the odd stale or missing record that the batch
evaluation exists to find), but the amount of a benefit that the rules also grant is the
amount the rules give — the county's dated standards, increments, care tiers and
rounding (`doudi.rules`, the one definition). Otherwise every row of the demo's 批量评估
would be a "change amount" and the real differences would drown.

`registry_rows` turns docs/interfaces.md §4 rows (the generator's dicts or a CSV's strings) into the
registry's column names, which `doudi.registry.extracts.assess_household` maps to the docs/interfaces.md §3
input exactly as a batch over the database does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Iterator

from doudi.core import codes as c
from doudi.synth.generate import SynthHousehold

PAGE = 1000  # households per assess call


_INCOMES = (
    ("wage", "月工资性收入"),
    ("business", "月经营净收入"),
    ("property", "月财产性收入"),
    ("transfer", "月转移性收入"),
    ("exempt", "月豁免收入"),
)


def category(text: str) -> str | None:
    """A 保障类别 cell (short or full Chinese name, or code) → category code."""
    return c.lookup(c.CATEGORY_SHORT, text, c.CATEGORIES)


def _money(value) -> Decimal:
    return Decimal(str(value or 0))


def _yes(value) -> bool:
    return value == "是"


def registry_rows(household: dict, members: list[dict], benefits: list[dict]) -> tuple[dict, list[dict], list[dict]]:
    """docs/interfaces.md §4 rows → (household, members, benefits) keyed like the registry tables."""
    h = {
        "code": household["户编号"],
        "region_id": str(household["行政区划代码"]),
        "hukou": c.lookup(c.HUKOU, household["户籍性质(城镇/农村)"]),
        "financial_assets": _money(household["金融资产"]),
        "vehicle_count": int(household["机动车数量"] or 0),
        "vehicle_value": _money(household["机动车价值"]),
        "property_count": int(household["房产套数"] or 0),
        "business_count": int(household["市场主体数量"] or 0),
        "medical_expense_12m": _money(household["近12月医疗自付"]),
        "education_expense_12m": _money(household["近12月教育支出"]),
    }
    people = []
    for row in members:
        level = row["残疾等级"]
        people.append(
            {
                "id_number": row["身份证号"],
                "name": row["姓名"],
                "relation": c.lookup(c.RELATIONS, row["与户主关系"]),
                "disability_kind": c.lookup(c.DISABILITY_KINDS, row["残疾类别"]) or "",
                "disability_level": int(c.lookup(c.DISABILITY_LEVELS, level)) if level else None,
                "serious_illness": _yes(row["是否重病"]),
                "self_care": c.lookup(c.SELF_CARE, row["自理能力"]),
                "employed": _yes(row["是否就业"]),
                "capable_supporter": _yes(row["有履行能力的法定义务人(是/否)"]),
                **{f"income_{part}": _money(row[header]) for part, header in _INCOMES},
            }
        )
    held = [
        {
            "person_key": row["身份证号(个人类别填写)"],
            "category": category(row["保障类别"]),
            "since": str(row["开始日期"]),
            "monthly_amount": _money(row["月保障金额"]),
            "support_mode": c.lookup(c.SUPPORT_MODES, row["供养方式(分散/集中)"]) or "",
        }
        for row in benefits
    ]
    return h, people, held


def priced(households: Iterable[SynthHousehold], month: str) -> Iterator[SynthHousehold]:
    """The households with every held benefit the rules also grant set to the rules' amount."""
    from doudi.registry.extracts import assess_household
    from doudi.rules import assess
    from doudi.rules.policy import load_policy

    policies: dict[str, object] = {}
    page: list[SynthHousehold] = []

    def flush():
        province = page[0].household["行政区划代码"][:2]
        policy = policies.setdefault(province, load_policy(province))
        inputs = [assess_household(*registry_rows(*h)) for h in page]
        for house, result in zip(page, assess({"households": inputs}, policy, month)["results"]):
            granted = {(b["category"], b["person"] or ""): b["monthly_amount"] for b in result["benefits"]}
            for row in house.benefits:
                amount = granted.get((category(row["保障类别"]), row["身份证号(个人类别填写)"]))
                if amount is not None:
                    row["月保障金额"] = Decimal(str(amount)).quantize(Decimal("0.01"))
        yield from page
        page.clear()

    for house in households:
        if page and house.household["行政区划代码"][:2] != page[0].household["行政区划代码"][:2]:
            yield from flush()
        page.append(house)
        if len(page) == PAGE:
            yield from flush()
    if page:
        yield from flush()
