"""Writes a parsed registry file into the database: new rows inserted in bulk, changed
rows updated with an audit entry each (old → new), unchanged rows left alone, so that
importing the same file twice changes nothing. Caller holds the transaction."""
from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from doudi.core import codes, idnumber, pinyin
from doudi.core.bulk import fetch_by_keys, foreign_keys_checked_once, insert_rows, reserve_ids
from doudi.core.models import AuditEntry
from doudi.registry.importing.columns import BENEFIT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from doudi.registry.importing.errors import ErrorList, RowError
from doudi.registry.importing.parse import ParsedRegistry
from doudi.registry.models import Benefit, Household, HouseholdMove, Person

HOUSEHOLD_FIELDS = [c.field for c in HOUSEHOLD_COLUMNS if c.field not in ("code", "region")] + ["region_id"]
PERSON_FIELDS = [c.field for c in MEMBER_COLUMNS if c.field not in ("household", "id_number")]
BENEFIT_FIELDS = [c.field for c in BENEFIT_COLUMNS if c.field not in ("household", "id_number", "category")]


def _fetch(model, key: str, keys, fields: list[str]) -> dict[str, dict]:
    return {row[key]: row for row in fetch_by_keys(model, key, keys, ["id", key, *fields])}


def _diff(old: dict, new: dict, fields: list[str]) -> dict:
    return {f: [_show(old[f]), _show(new[f])] for f in fields if old[f] != new[f]}


def _show(value):
    return value if isinstance(value, (int, str, bool)) or value is None else str(value)


class RegistryWriter:
    def __init__(self, parsed: ParsedRegistry, *, user, batch: str, progress=None):
        self.parsed = parsed
        self.user = user
        self.role = getattr(user, "role", "") if user else "system"
        self.batch = batch
        self.now = timezone.now()
        self.progress = progress or (lambda stage, done, total: None)
        self.summary = {k: 0 for k in ("households_new", "households_changed", "persons_new", "persons_changed",
                                         "persons_moved", "benefits_new", "benefits_changed", "unchanged")}
        self.audit: list[tuple] = []

    # -- checks that need the database -------------------------------------------------
    def check(self, errors: ErrorList) -> None:
        p = self.parsed
        wanted = set(p.households) | {r.values["household"] for r in p.members.values()} | {r.values["household"] for r in p.benefits}
        self.old_households = _fetch(Household, "code", wanted, HOUSEHOLD_FIELDS)
        known = set(p.households) | set(self.old_households)
        ids = set(p.members) | {r.values["id_number"] for r in p.benefits if r.values["id_number"]}
        self.old_persons = _fetch(Person, "id_number", ids, PERSON_FIELDS + ["household_id"])
        homes = {row["id"]: row["code"] for row in fetch_by_keys(Household, "id", {p["household_id"] for p in self.old_persons.values()}, ["id", "code"])}
        for person in self.old_persons.values():
            person["household__code"] = homes[person["household_id"]]
        self._check_refs(p.files["成员"], p.members.values(), known, errors)
        self._check_refs(p.files["保障"], p.benefits, known, errors)
        self._check_heads(errors)
        self._check_benefit_people(errors)

    def _check_refs(self, where, records, known, errors):
        for record in records:
            if record.values["household"] not in known:
                errors.add(RowError(*where, record.row, "户编号", record.values["household"], "户编号在「家庭」表和系统中都不存在"))

    def _check_heads(self, errors):
        heads: dict[str, list[int]] = {}
        for record in self.parsed.members.values():
            if record.values["relation"] == "head":
                heads.setdefault(record.values["household"], []).append(record.row)
        file, sheet = self.parsed.files["家庭"]
        for code, record in self.parsed.households.items():
            rows = heads.get(code, [])
            if len(rows) > 1:
                errors.add(RowError(*self.parsed.files["成员"], rows[1], "与户主关系", "户主", f"户「{code}」有多名户主（第{'、'.join(map(str, rows))}行）"))
            elif not rows and code not in self.old_households:
                errors.add(RowError(file, sheet, record.row, "户编号", code, "新建家庭须在「成员」表中有一名户主"))

    def _check_benefit_people(self, errors):
        where = self.parsed.files["保障"]
        for record in self.parsed.benefits:
            number = record.values["id_number"]
            if not number:
                continue
            member = self.parsed.members.get(number)
            home = member.values["household"] if member else (self.old_persons.get(number) or {}).get("household__code")
            if home != record.values["household"]:
                errors.add(RowError(*where, record.row, "身份证号(个人类别填写)", idnumber.mask(number), f"此人不是户「{record.values['household']}」的成员"))

    # -- writes ------------------------------------------------------------------------
    def write(self) -> dict:
        rows = len(self.parsed.members) + len(self.parsed.benefits)
        with foreign_keys_checked_once([Person, Benefit], rows=rows):
            self._write_households()
            self._write_persons()
            self._write_benefits()
        insert_rows(AuditEntry, ["at", "user_id", "role", "action", "entity", "entity_key", "household_code", "changes", "reason", "batch"], self.audit)
        return self.summary

    def _log(self, action, entity, key, household, changes):
        self.audit.append((self.now, getattr(self.user, "pk", None), self.role, action, entity, key, household, changes, "台账导入", self.batch))

    def _write_households(self):
        new_rows = []
        for code, record in self.parsed.households.items():
            values = dict(record.values, region_id=record.values["region"])
            old = self.old_households.get(code)
            if old is None:
                new_rows.append((code, *[values[f] for f in HOUSEHOLD_FIELDS], 1, self.now, self.now))
                self._log("create", "household", code, code, {})
                continue
            changes = _diff(old, values, HOUSEHOLD_FIELDS)
            if not changes:
                self.summary["unchanged"] += 1
                continue
            update = {f: values[f] for f in changes}
            Household.objects.filter(pk=old["id"]).update(**update, version=F("version") + 1, updated_at=self.now)
            self._log("update", "household", code, code, changes)
            self.summary["households_changed"] += 1
        self.progress("家庭", len(new_rows), len(new_rows))
        ids = reserve_ids(Household, len(new_rows))
        insert_rows(Household, ["id", "code", *HOUSEHOLD_FIELDS, "version", "created_at", "updated_at"],
                    ((pk, *row) for pk, row in zip(ids, new_rows)))
        self.summary["households_new"] = len(new_rows)
        self.household_ids = {code: row["id"] for code, row in self.old_households.items()}
        created = [r[0] for r in new_rows]
        # A new household's members and benefits are covered by its one creation entry.
        self.created_households = set(created)
        self.household_ids.update(zip(created, ids))

    def _person_values(self, record) -> dict:
        values = dict(record.values)
        facts = idnumber.facts(values["id_number"])
        values.update(sex=facts.sex, birth_date=facts.birth_date, name_initials=pinyin.initials(values["name"]))
        return values

    def _write_persons(self):
        new_rows, fields = [], ["id_number", "household_id", "sex", "birth_date", "name_initials", *PERSON_FIELDS]
        for number, record in self.parsed.members.items():
            values = self._person_values(record)
            values["household_id"] = self.household_ids[values["household"]]
            old = self.old_persons.get(number)
            if old is None:
                new_rows.append([values[f] for f in fields] + [1])
                if values["household"] not in self.created_households:
                    self._log("create", "person", number, values["household"], {})
                continue
            self._update_person(old, values)
        ids = reserve_ids(Person, len(new_rows))
        insert_rows(Person, ["id", *fields, "version"], ([pk, *row] for pk, row in zip(ids, new_rows)))
        self.person_ids = {number: row["id"] for number, row in self.old_persons.items()}
        self.person_ids.update((row[0], pk) for pk, row in zip(ids, new_rows))
        self.summary["persons_new"] = len(new_rows)
        self.progress("成员", len(new_rows), len(self.parsed.members))

    def _update_person(self, old: dict, values: dict):
        number, household = values["id_number"], values["household"]
        changes = _diff(old, values, PERSON_FIELDS)
        moved = old["household_id"] != values["household_id"]
        if moved:
            HouseholdMove.objects.create(person_id=old["id"], from_household_id=old["household_id"], to_household_id=values["household_id"],
                                         from_relation=old["relation"], to_relation=values["relation"], user=self.user, reason="台账导入")
            changes["household"] = [old["household__code"], household]
            self._log("move", "person", number, old["household__code"], {"household": changes["household"]})
            self.summary["persons_moved"] += 1
        if not changes:
            self.summary["unchanged"] += 1
            return
        update = {f: values[f] for f in changes if f != "household"}
        if "name" in update:
            update["name_initials"] = values["name_initials"]
        Person.objects.filter(pk=old["id"]).update(**update, household_id=values["household_id"], version=F("version") + 1)
        self._log("update", "person", number, household, changes)
        self.summary["persons_changed"] += 1

    def created_households_ids(self):
        return (self.household_ids[code] for code in self.created_households)

    def _write_benefits(self):
        person_ids = self.person_ids
        household_ids = {self.household_ids[r.values["household"]] for r in self.parsed.benefits}
        existing = {}
        for row in fetch_by_keys(Benefit, "household_id", household_ids - set(self.created_households_ids()),
                                 ["id", "household_id", "person_key", "category", "until", *BENEFIT_FIELDS]):
            if row["until"] is None:
                existing[(row["household_id"], row["person_key"], row["category"])] = row
        new_rows = []
        for record in self.parsed.benefits:
            v = record.values
            key = (self.household_ids[v["household"]], v["id_number"], v["category"])
            old = existing.get(key)
            if old is None:
                new_rows.append((key[0], person_ids.get(v["id_number"]), v["category"], v["id_number"], *[v[f] for f in BENEFIT_FIELDS]))
                if v["household"] not in self.created_households:
                    self._log("create", "benefit", codes.CATEGORY_SHORT[v["category"]], v["household"], {"monthly_amount": [None, str(v["monthly_amount"])]})
                continue
            changes = _diff(old, v, BENEFIT_FIELDS)
            if not changes:
                self.summary["unchanged"] += 1
                continue
            Benefit.objects.filter(pk=old["id"]).update(**{f: v[f] for f in changes})
            self._log("update", "benefit", codes.CATEGORY_SHORT[v["category"]], v["household"], changes)
            self.summary["benefits_changed"] += 1
        insert_rows(Benefit, ["household_id", "person_id", "category", "person_key", *BENEFIT_FIELDS], new_rows)
        self.summary["benefits_new"] = len(new_rows)

