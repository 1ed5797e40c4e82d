"""Between the 测算 form and the rules: cleaned form data → docs/interfaces.md §3 household JSON, and a
register household → the form's initial rows (从台账带入). Nothing here writes."""

from __future__ import annotations

from decimal import Decimal

from doudi.assessment.forms import INCOME_FIELDS, MEMBER_FLAGS
from doudi.assessment.labels import MONTHLY_CATEGORIES
from doudi.core import idnumber

FORM_HOUSEHOLD_ID = "测算"


def to_assess_input(household: dict, members: list[dict], vehicles: list[dict], current: list[dict]) -> dict:
    """One household in the docs/interfaces.md §3 shape; blank amounts are 0."""
    zero = Decimal(0)
    return {
        "households": [
            {
                "id": FORM_HOUSEHOLD_ID,
                "region": household["region"],
                "hukou": household["hukou"],
                "assets": {
                    "financial": household.get("financial") or zero,
                    "vehicles": [{"kind": v["kind"], "value": v["value"]} for v in vehicles],
                    "properties": household.get("properties") or 0,
                    "businesses": household.get("businesses") or 0,
                },
                "expenses_12m": {"medical": household.get("medical") or zero, "education": household.get("education") or zero},
                "poverty_monitoring": bool(household.get("poverty_monitoring")),
                "poverty_alleviated": bool(household.get("poverty_alleviated")),
                "members": [_member(m) for m in members],
                "current": [_current(c) for c in current],
            }
        ]
    }


def _member(m: dict) -> dict:
    row = {
        "id_number": m["id_number"],
        "name": m["name"],
        "relation": m["relation"],
        "disability": {"kind": m["disability_kind"], "level": m["disability_level"]} if m.get("disability_kind") else None,
        "self_care": m["self_care"],
        "student": m.get("student") or None,
        "income_monthly": {key: m.get(f"income_{key}") or Decimal(0) for key in INCOME_FIELDS},
    }
    row.update({flag: bool(m.get(flag)) for flag in MEMBER_FLAGS})
    if m.get("support_mode"):
        row["support_mode"] = m["support_mode"]
    return row


def _current(c: dict) -> dict:
    item = {
        "category": c["category"],
        "person": c.get("person"),
        "since": c["since"].isoformat(),
        "monthly_amount": c["monthly_amount"],
    }
    if c.get("mode"):
        item["mode"] = c["mode"]
    if c.get("taper_start"):
        item["taper_start"] = c["taper_start"]
    return item


def names_by_id(members: list[dict]) -> dict[str, str]:
    return {m["id_number"]: m["name"] for m in members}


def from_registry(household, members, benefits, month: str) -> dict:
    """Initial data for the form from a register household (members and benefits in scope).

    The register → assess mapping is the batch's (doudi.registry.extracts), so a household
    brought in here is read exactly as the monthly evaluation reads it: vehicles as equal
    cars, orphan flags and support modes from the benefits held, 防返贫监测 from 低收入人口.
    """
    from doudi.registry.extracts import B_COLS, H_COLS, P_COLS, assess_household

    data = assess_household(
        {c: getattr(household, c) for c in H_COLS},
        [{c: getattr(m, c) for c in P_COLS} for m in members],
        [{c: getattr(b, c) for c in B_COLS} for b in benefits],
    )
    people = {m.id_number: m for m in members}
    return {
        "household": {
            "region": data["region"],
            "hukou": data["hukou"],
            "month": month,
            "financial": data["assets"]["financial"],
            "properties": data["assets"]["properties"],
            "businesses": data["assets"]["businesses"],
            "medical": data["expenses_12m"]["medical"],
            "education": data["expenses_12m"]["education"],
            "poverty_monitoring": data.get("poverty_monitoring"),
            "poverty_alleviated": data.get("poverty_alleviated"),
        },
        "members": [_member_initial(m, people[m["id_number"]]) for m in data["members"]],
        "vehicles": data["assets"]["vehicles"],
        "current": [
            {
                "category": c["category"],
                "since": c["since"],
                "monthly_amount": c["monthly_amount"],
                "mode": c.get("mode") or "",
                "person": idnumber.mask(c["person"]) if c.get("person") else "",
                "person_ref": people[c["person"]].pk if c.get("person") in people else None,
            }
            for c in data["current"]
            if c["category"] in MONTHLY_CATEGORIES
        ],
    }


def _member_initial(m: dict, person) -> dict:
    disability = m.get("disability") or {}
    row = {
        "relation": m["relation"],
        "name": m["name"],
        "id_number": idnumber.mask(m["id_number"]),
        "person_ref": person.pk,
        "disability_kind": disability.get("kind") or "",
        "disability_level": disability.get("level"),
        "self_care": m["self_care"],
        "student": person.school_stage,
        "support_mode": m.get("support_mode") or "",
    }
    row.update({flag: m.get(flag) for flag in MEMBER_FLAGS})
    row.update({f"income_{key}": m["income_monthly"][key] for key in INCOME_FIELDS})
    return row
