"""Between the 测算 form and the rules: cleaned form data → SPEC §3 household JSON, and a
register household → the form's initial rows (从台账带入). Nothing here writes."""
from __future__ import annotations

from decimal import Decimal

from doudi.assessment.forms import INCOME_FIELDS, MEMBER_FLAGS
from doudi.core import idnumber

FORM_HOUSEHOLD_ID = "测算"


def to_assess_input(household: dict, members: list[dict], vehicles: list[dict], current: list[dict]) -> dict:
    """One household in the SPEC §3 shape; blank amounts are 0."""
    zero = Decimal(0)
    return {"households": [{
        "id": FORM_HOUSEHOLD_ID, "region": household["region"], "hukou": household["hukou"],
        "assets": {"financial": household.get("financial") or zero,
                   "vehicles": [{"kind": v["kind"], "value": v["value"]} for v in vehicles],
                   "properties": household.get("properties") or 0, "businesses": household.get("businesses") or 0},
        "expenses_12m": {"medical": household.get("medical") or zero, "education": household.get("education") or zero},
        "poverty_monitoring": bool(household.get("poverty_monitoring")),
        "poverty_alleviated": bool(household.get("poverty_alleviated")),
        "members": [_member(m) for m in members],
        "current": [_current(c) for c in current],
    }]}


def _member(m: dict) -> dict:
    row = {
        "id_number": m["id_number"], "name": m["name"], "relation": m["relation"],
        "disability": {"kind": m["disability_kind"], "level": m["disability_level"]} if m.get("disability_kind") else None,
        "self_care": m["self_care"], "student": m.get("student") or None,
        "income_monthly": {key: m.get(f"income_{key}") or Decimal(0) for key in INCOME_FIELDS},
    }
    row.update({flag: bool(m.get(flag)) for flag in MEMBER_FLAGS})
    if m.get("support_mode"):
        row["support_mode"] = m["support_mode"]
    return row


def _current(c: dict) -> dict:
    item = {"category": c["category"], "person": c.get("person"), "since": c["since"].isoformat(),
            "monthly_amount": c["monthly_amount"]}
    if c.get("mode"):
        item["mode"] = c["mode"]
    if c.get("taper_start"):
        item["taper_start"] = c["taper_start"]
    return item


def names_by_id(members: list[dict]) -> dict[str, str]:
    return {m["id_number"]: m["name"] for m in members}


def from_registry(household, members, benefits, month: str) -> dict:
    """Initial data for the form from a register household (members and benefits in scope).

    The register keeps only the number and total value of vehicles, not their kinds: the
    total is split evenly over that many cars, and the page asks the clerk to check kinds.
    """
    refs = {m.pk: m for m in members}
    return {
        "household": {
            "region": household.region_id, "hukou": household.hukou, "month": month,
            "financial": household.financial_assets, "properties": household.property_count,
            "businesses": household.business_count, "medical": household.medical_expense_12m,
            "education": household.education_expense_12m,
        },
        "members": [_member_initial(m) for m in members],
        "vehicles": _split_vehicles(household.vehicle_count, household.vehicle_value),
        "current": [{
            "category": b.category, "since": b.since, "monthly_amount": b.monthly_amount, "mode": b.support_mode,
            "person": idnumber.mask(refs[b.person_id].id_number) if b.person_id in refs else "",
            "person_ref": b.person_id,
        } for b in benefits if b.category not in ("temp_assist", "price_subsidy")],
    }


def _member_initial(p) -> dict:
    row = {"relation": p.relation, "name": p.name, "id_number": idnumber.mask(p.id_number), "person_ref": p.pk,
           "disability_kind": p.disability_kind, "disability_level": p.disability_level, "self_care": p.self_care,
           "student": p.school_stage, "serious_illness": p.serious_illness, "employed": p.employed,
           "capable_supporter": p.capable_supporter}
    row.update({f"income_{key}": getattr(p, f"income_{key}") for key in INCOME_FIELDS})
    return row


def _split_vehicles(count: int, total: Decimal) -> list[dict]:
    if not count:
        return []
    share = (total / count).quantize(Decimal("0.01"))
    values = [share] * (count - 1) + [total - share * (count - 1)]
    return [{"kind": "car", "value": v} for v in values]
