"""Special-group flags from the register's import (docs/interfaces.md §4 optional 成员 columns 特殊困难老年人,
困境儿童, 精神障碍患者): the registry parses and checks them and calls this hook after writing
the members (registry.importing.apply.add_after_write, registered in CareConfig.ready), so the
registry never imports care.

A column present in the file speaks for its family of groups, for each row:
- a group named in the cell is set (a flag removed earlier is set again);
- a group of that family not named is removed only if an import set it: a flag set by hand
  (or accepted from the register's suggestions) stays until someone removes it by hand;
- a column left out of the file changes nothing.
Each person whose flags change gets one audit entry (old → new) with the import's batch."""

from __future__ import annotations

from doudi.care import groups
from doudi.care.models import PersonGroup

# The importer's codes (core.codes.SPECIAL_ELDERLY / DIFFICULT_CHILDREN) → care's group codes.
ELDERLY_CODES = {
    "alone": "elderly_alone",
    "empty_nest": "elderly_empty_nest",
    "left_behind": "elderly_left_behind",
    "disabled": "elderly_disabled",
    "severe_disability": "elderly_severe_disability",
    "family_planning": "elderly_family_planning",
}
CHILD_CODES = {
    "orphan": "child_orphan",
    "unsupported_child": "child_unsupported",
    "left_behind_child": "child_left_behind",
    "other": "child_other",
}
# field of the import → (the family it speaks for, cell value → care codes)
COLUMNS = {
    "special_elderly": (tuple(groups.ELDERLY), lambda v: {ELDERLY_CODES[c] for c in v.split(";") if c}),
    "difficult_child": (tuple(groups.CHILDREN), lambda v: {CHILD_CODES[c] for c in v.split(";") if c}),
    "mental_disorder": (tuple(groups.OTHER), lambda v: {"mental_disorder"} if v else set()),
}
CHUNK = 2000


def store_special_groups(members) -> dict:
    """The hook: returns {"special_groups_changed": persons whose flags changed}."""
    changed = 0
    user = members.user if getattr(members.user, "pk", None) else None
    for start in range(0, len(members.rows), CHUNK):
        chunk = members.rows[start : start + CHUNK]
        existing = {(f.person_id, f.group): f for f in PersonGroup.objects.filter(person_id__in=[r[0] for r in chunk])}
        new, updated = [], []
        for person_id, number, household, values in chunk:
            before, after = set(), set()
            for field, value in values.items():
                if field not in COLUMNS:
                    continue
                family, parse = COLUMNS[field]
                wanted = parse(value)
                for code in family:
                    flag = existing.get((person_id, code))
                    active = bool(flag and flag.active)
                    keep = code in wanted or (active and flag.source != "import")
                    if active:
                        before.add(code)
                    if keep:
                        after.add(code)
                    if keep == active:
                        continue
                    if flag is None:
                        flag = PersonGroup(person_id=person_id, group=code)
                        new.append(flag)
                    else:
                        updated.append(flag)
                    flag.active, flag.source, flag.set_by, flag.set_at = keep, "import", user, members.now
                    flag.note = "台账导入" if keep else "台账导入（新文件未再列出）"
            if before != after:
                changed += 1
                members.log("update", "person", number, household, {"特殊群体": [_labels(before), _labels(after)]}, "台账导入")
        PersonGroup.objects.bulk_create(new, batch_size=1000)
        PersonGroup.objects.bulk_update(updated, ["active", "source", "set_by", "set_at", "note"], batch_size=1000)
    return {"special_groups_changed": changed}


def _labels(codes) -> str:
    return "、".join(groups.label(c) for c in groups.SPECIAL if c in codes)


def store_family_apart(members) -> dict:
    """The hook for 分开居住的家庭成员 (REG-7, 附件1 question 2): the column, when in the file, speaks
    for each row's members who live apart. A member listed (matched by name and relation) is
    added or brought up to date; one no longer listed is ended only if an import added it (one
    typed in on the care page stays). Returns {"family_contacts_changed": persons changed}."""
    import json

    from doudi.care.models import FamilyContact

    rows = [
        (pid, number, household, values["family_apart"])
        for pid, number, household, values in members.rows
        if "family_apart" in values
    ]
    user = members.user if getattr(members.user, "pk", None) else None
    changed = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        existing: dict[int, list] = {}
        for contact in FamilyContact.objects.filter(person_id__in=[r[0] for r in chunk], active=True).order_by("id"):
            existing.setdefault(contact.person_id, []).append(contact)
        new, updated = [], []
        for person_id, number, household, value in chunk:
            wanted = {(m[0], m[1]): m for m in (json.loads(value) if value else [])}
            had = existing.get(person_id, [])
            before = _family_labels(had)
            after_rows = []
            seen = set()
            for contact in had:
                key = (contact.name, contact.relation)
                if key in wanted and key not in seen:
                    seen.add(key)
                    _, _, duty, phone, place = wanted[key]
                    if contact.source == "import" and (contact.duty, contact.phone, contact.address) != (duty, phone, place):
                        contact.duty, contact.phone, contact.address = duty, phone, place
                        updated.append(contact)
                    after_rows.append(contact)
                elif contact.source == "import":
                    contact.active = False
                    updated.append(contact)
                else:
                    after_rows.append(contact)
            for key, (name, relation, duty, phone, place) in wanted.items():
                if key in seen:
                    continue
                contact = FamilyContact(
                    person_id=person_id,
                    name=name,
                    relation=relation,
                    duty=duty,
                    phone=phone,
                    address=place,
                    source="import",
                    created_by=user,
                )
                new.append(contact)
                after_rows.append(contact)
            after = _family_labels(after_rows)
            if before != after:
                changed += 1
                members.log("update", "person", number, household, {"分开居住的家庭成员": [before, after]}, "台账导入")
        FamilyContact.objects.bulk_create(new, batch_size=1000)
        FamilyContact.objects.bulk_update(updated, ["active", "duty", "phone", "address"], batch_size=1000)
    return {"family_contacts_changed": changed}


def _family_labels(contacts) -> str:
    from doudi.care.models import FamilyContact

    duties = dict(FamilyContact.Duty.choices)
    return "；".join(
        f"{c.relation} {c.name}（{duties.get(c.duty, c.duty)}{'，' + c.phone if c.phone else ''}{'，' + c.address if c.address else ''}）"
        for c in contacts
    )
