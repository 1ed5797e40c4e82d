"""Writes a parsed registry file into the database: new rows inserted in bulk, changed
rows updated with an audit entry each (old → new), unchanged rows left alone, so that
importing the same file twice changes nothing. Caller holds the transaction.

An importing user may only touch rows inside their region subtree (a command-line
import, without a user, is unrestricted); below the county, new or higher benefits wait
as PendingBenefitChange rows for a county role; a confirmation given the versions seen
at preview refuses rows changed since (issue 12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from doudi.core import codes, idnumber, pinyin
from doudi.core.bulk import fetch_by_keys, foreign_keys_checked_once, insert_rows, reserve_ids
from doudi.core.models import AuditEntry
from doudi.core.scoping import in_scope
from doudi.core.tabular.errors import ErrorList, ImportRejected, RowError
from doudi.registry.importing.columns import BENEFIT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, OPTIONAL_COLUMNS
from doudi.registry.importing.parse import ParsedRegistry
from doudi.registry.models import Benefit, Household, HouseholdMove, PendingBenefitChange, Person

HOUSEHOLD_FIELDS = [c.field for c in HOUSEHOLD_COLUMNS if c.field not in ("code", "region")] + ["region_id"]
PERSON_FIELDS = [c.field for c in MEMBER_COLUMNS if c.field not in ("household", "id_number")]
BENEFIT_FIELDS = [c.field for c in BENEFIT_COLUMNS if c.field not in ("household", "id_number", "category")]


def _fetch(model, key: str, keys, fields: list[str]) -> dict[str, dict]:
    return {row[key]: row for row in fetch_by_keys(model, key, keys, ["id", key, *fields])}


def _diff(old: dict, new: dict, fields: list[str]) -> dict:
    return {f: [_show(old[f]), _show(new[f])] for f in fields if old[f] != new[f]}


def _show(value):
    return value if isinstance(value, (int, str, bool)) or value is None else str(value)


# -- after-write hooks ------------------------------------------------------------------------
# The register parses the optional 成员 columns (docs/interfaces.md §4: 特殊困难老年人, 困境儿童, 精神障碍患者)
# but has no field for them; the app that keeps them (doudi/care) registers a hook from its
# AppConfig.ready(), so the registry never imports it (tests/test_architecture.py). A hook
# runs inside the import's transaction (a refused import or a preview leaves nothing behind),
# writes its audit rows through `log` (they carry the import's batch) and returns counts to
# add to the summary.
@dataclass(frozen=True)
class ImportedMembers:
    rows: list[tuple[int, str, str, dict]]  # (person id, ID number, household code, {optional field: value}) per 成员 row
    user: object  # None for a command-line import
    batch: str
    now: dt.datetime
    log: Callable[..., None]  # log(action, entity, key, household_code, changes, reason)


_AFTER_WRITE: dict[str, Callable[[ImportedMembers], dict | None]] = {}


def add_after_write(hook: Callable[[ImportedMembers], dict | None]) -> None:
    """Registers (or replaces, by name) a hook called after the members are written, when
    the file has any optional 成员 column."""
    _AFTER_WRITE[f"{hook.__module__}.{hook.__qualname__}"] = hook


STALE = "在预览后已被修改，请重新预览"
OUT_OF_SCOPE = "不在您的管辖范围内，不能导入"


class RegistryWriter:
    def __init__(self, parsed: ParsedRegistry, *, user, batch: str, progress=None, expected_versions: dict | None = None):
        self.parsed = parsed
        self.user = user
        self.expected_versions = expected_versions
        # Below the county an import may not grant money on its own (issue 12).
        self.defer_rises = user is not None and not PendingBenefitChange.may_decide(user)
        self.role = getattr(user, "role", "") if user else "system"
        self.batch = batch
        self.now = timezone.now()
        self.progress = progress or (lambda stage, done, total: None)
        self.summary = {
            k: 0
            for k in (
                "households_new",
                "households_changed",
                "persons_new",
                "persons_changed",
                "persons_moved",
                "benefits_new",
                "benefits_changed",
                "unchanged",
            )
        }
        self.audit: list[tuple] = []

    # -- checks that need the database -------------------------------------------------
    def check(self, errors: ErrorList) -> None:
        p = self.parsed
        wanted = (
            set(p.households) | {r.values["household"] for r in p.members.values()} | {r.values["household"] for r in p.benefits}
        )
        self.old_households = _fetch(Household, "code", wanted, HOUSEHOLD_FIELDS + ["version"])
        known = set(p.households) | set(self.old_households)
        ids = set(p.members) | {r.values["id_number"] for r in p.benefits if r.values["id_number"]}
        self.old_persons = _fetch(Person, "id_number", ids, PERSON_FIELDS + ["household_id", "version"])
        homes = {
            row["id"]: row
            for row in fetch_by_keys(
                Household, "id", {p["household_id"] for p in self.old_persons.values()}, ["id", "code", "region_id"]
            )
        }
        for person in self.old_persons.values():
            person["household__code"] = homes[person["household_id"]]["code"]
            person["household__region"] = homes[person["household_id"]]["region_id"]
        self._check_refs(p.files["成员"], p.members.values(), known, errors)
        self._check_refs(p.files["保障"], p.benefits, known, errors)
        self._check_heads(errors)
        self._check_benefit_people(errors)
        if self.user is not None:
            self._check_scope(errors)
        if self.expected_versions is not None:
            self._check_versions(errors)

    def versions_seen(self) -> dict:
        """Versions of the households and persons the file names (0: not there yet), for
        the confirmation to compare against: rows left unchanged count too, since writing
        them after a clerk's edit would undo it."""
        return {
            "households": {code: (self.old_households.get(code) or {}).get("version", 0) for code in self.parsed.households},
            "persons": {number: (self.old_persons.get(number) or {}).get("version", 0) for number in self.parsed.members},
        }

    def _check_versions(self, errors):
        seen, now = self.expected_versions, self.versions_seen()
        file, sheet = self.parsed.files["家庭"]
        for code, record in self.parsed.households.items():
            if seen["households"].get(code, 0) != now["households"][code]:
                errors.add(RowError(file, sheet, record.row, "户编号", code, f"户 {code} {STALE}"))
        file, sheet = self.parsed.files["成员"]
        for number, record in self.parsed.members.items():
            if seen["persons"].get(number, 0) != now["persons"][number]:
                errors.add(
                    RowError(file, sheet, record.row, "身份证号", idnumber.mask(number), f"成员 {record.values['name']} {STALE}")
                )

    # -- region scope: both where a row would put a record and where the record is now --
    def _allowed(self, region: str) -> bool:
        return in_scope(self.user, region)

    def _household_outside(self, code: str) -> bool:
        record, old = self.parsed.households.get(code), self.old_households.get(code)
        return bool((record and not self._allowed(record.values["region"])) or (old and not self._allowed(old["region_id"])))

    def _check_scope(self, errors):
        file, sheet = self.parsed.files["家庭"]
        for code, record in self.parsed.households.items():
            old = self.old_households.get(code)
            if old and not self._allowed(old["region_id"]):
                errors.add(RowError(file, sheet, record.row, "户编号", code, f"户「{code}」{OUT_OF_SCOPE}"))
            elif not self._allowed(record.values["region"]):
                errors.add(
                    RowError(file, sheet, record.row, "行政区划代码", record.values["region"], f"行政区划代码{OUT_OF_SCOPE}")
                )
        file, sheet = self.parsed.files["成员"]
        for number, record in self.parsed.members.items():
            household, old = record.values["household"], self.old_persons.get(number)
            if self._household_outside(household):
                errors.add(RowError(file, sheet, record.row, "户编号", household, f"户「{household}」{OUT_OF_SCOPE}"))
            elif old and not self._allowed(old["household__region"]):
                errors.add(
                    RowError(
                        file, sheet, record.row, "身份证号", idnumber.mask(number), f"此人现在所在的家庭{OUT_OF_SCOPE}或迁入"
                    )
                )
        file, sheet = self.parsed.files["保障"]
        for record in self.parsed.benefits:
            # A personal benefit's person belongs to this household (checked above), so
            # the household decides.
            household = record.values["household"]
            if self._household_outside(household):
                errors.add(RowError(file, sheet, record.row, "户编号", household, f"户「{household}」{OUT_OF_SCOPE}"))

    def _check_refs(self, where, records, known, errors):
        for record in records:
            if record.values["household"] not in known:
                errors.add(
                    RowError(*where, record.row, "户编号", record.values["household"], "户编号在「家庭」表和系统中都不存在")
                )

    def _check_heads(self, errors):
        heads: dict[str, list[int]] = {}
        for record in self.parsed.members.values():
            if record.values["relation"] == "head":
                heads.setdefault(record.values["household"], []).append(record.row)
        file, sheet = self.parsed.files["家庭"]
        for code, record in self.parsed.households.items():
            rows = heads.get(code, [])
            if len(rows) > 1:
                errors.add(
                    RowError(
                        *self.parsed.files["成员"],
                        rows[1],
                        "与户主关系",
                        "户主",
                        f"户「{code}」有多名户主（第{'、'.join(map(str, rows))}行）",
                    )
                )
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
                errors.add(
                    RowError(
                        *where,
                        record.row,
                        "身份证号(个人类别填写)",
                        idnumber.mask(number),
                        f"此人不是户「{record.values['household']}」的成员",
                    )
                )

    # -- writes ------------------------------------------------------------------------
    def write(self) -> dict:
        rows = len(self.parsed.members) + len(self.parsed.benefits)
        with foreign_keys_checked_once([Person, Benefit], rows=rows):
            self._write_households()
            self._write_persons()
            self._write_benefits()
        self._after_write()
        insert_rows(
            AuditEntry,
            ["at", "user_id", "role", "action", "entity", "entity_key", "household_code", "changes", "reason", "batch"],
            self.audit,
        )
        return self.summary

    def _after_write(self) -> None:
        optional = [c.field for c in OPTIONAL_COLUMNS["成员"]]
        rows = [
            (self.person_ids[number], number, record.values["household"], extra)
            for number, record in self.parsed.members.items()
            if (extra := {f: record.values[f] for f in optional if f in record.values})
        ]
        if not rows or not _AFTER_WRITE:
            return
        members = ImportedMembers(rows, self.user, self.batch, self.now, self._log)
        for hook in _AFTER_WRITE.values():
            for key, count in (hook(members) or {}).items():
                if count:
                    self.summary[key] = self.summary.get(key, 0) + count

    def _refuse_if_raced(self, saved: int, sheet: str, row: int, column: str, value: str, what: str) -> None:
        """A clerk's save between check() and this update: refuse rather than overwrite it
        (the caller's transaction rolls everything back)."""
        if not saved:
            raise ImportRejected(
                [
                    RowError(
                        *self.parsed.files[sheet],
                        row,
                        column,
                        value,
                        f"{what} 在导入过程中已被他人修改，未写入任何数据，请重新导入",
                    )
                ]
            )

    def _log(self, action, entity, key, household, changes, reason="台账导入"):
        self.audit.append(
            (self.now, getattr(self.user, "pk", None), self.role, action, entity, key, household, changes, reason, self.batch)
        )

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
            saved = Household.objects.filter(pk=old["id"], version=old["version"]).update(
                **update, version=F("version") + 1, updated_at=self.now
            )
            self._refuse_if_raced(saved, "家庭", record.row, "户编号", code, f"户 {code}")
            self._log("update", "household", code, code, changes)
            self.summary["households_changed"] += 1
        self.progress("家庭", len(new_rows), len(new_rows))
        ids = reserve_ids(Household, len(new_rows))
        insert_rows(
            Household,
            ["id", "code", *HOUSEHOLD_FIELDS, "version", "created_at", "updated_at"],
            ((pk, *row) for pk, row in zip(ids, new_rows)),
        )
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
            HouseholdMove.objects.create(
                person_id=old["id"],
                from_household_id=old["household_id"],
                to_household_id=values["household_id"],
                from_relation=old["relation"],
                to_relation=values["relation"],
                user=self.user,
                reason="台账导入",
            )
            changes["household"] = [old["household__code"], household]
            self._log("move", "person", number, old["household__code"], {"household": changes["household"]})
            self.summary["persons_moved"] += 1
        if not changes:
            self.summary["unchanged"] += 1
            return
        update = {f: values[f] for f in changes if f != "household"}
        if "name" in update:
            update["name_initials"] = values["name_initials"]
        saved = Person.objects.filter(pk=old["id"], version=old["version"]).update(
            **update, household_id=values["household_id"], version=F("version") + 1
        )
        self._refuse_if_raced(
            saved, "成员", self.parsed.members[number].row, "身份证号", idnumber.mask(number), f"成员 {values['name']}"
        )
        self._log("update", "person", number, household, changes)
        self.summary["persons_changed"] += 1

    def created_households_ids(self):
        return (self.household_ids[code] for code in self.created_households)

    def _write_benefits(self):
        person_ids = self.person_ids
        household_ids = {self.household_ids[r.values["household"]] for r in self.parsed.benefits}
        existing = {}
        for row in fetch_by_keys(
            Benefit,
            "household_id",
            household_ids - set(self.created_households_ids()),
            ["id", "household_id", "person_key", "category", "until", *BENEFIT_FIELDS],
        ):
            if row["until"] is None:
                existing[(row["household_id"], row["person_key"], row["category"])] = row
        if self.defer_rises:
            self.open_requests = {
                (p.household_id, p.person_key, p.category): p
                for p in PendingBenefitChange.objects.filter(
                    household_id__in=household_ids, status=PendingBenefitChange.Status.PENDING
                )
            }
            self.requests, self.superseded = [], []
            self.summary["benefits_pending"] = 0  # only where it can happen: the summary stays as before elsewhere
        new_rows = []
        for record in self.parsed.benefits:
            v = record.values
            key = (self.household_ids[v["household"]], v["id_number"], v["category"])
            old = existing.get(key)
            if old is None:
                if self.defer_rises:
                    self._request(key, v, None)
                    continue
                new_rows.append(
                    (key[0], person_ids.get(v["id_number"]), v["category"], v["id_number"], *[v[f] for f in BENEFIT_FIELDS])
                )
                if v["household"] not in self.created_households:
                    self._log(
                        "create",
                        "benefit",
                        codes.CATEGORY_SHORT[v["category"]],
                        v["household"],
                        {"monthly_amount": [None, str(v["monthly_amount"])]},
                    )
                continue
            changes = _diff(old, v, BENEFIT_FIELDS)
            if not changes:
                self.summary["unchanged"] += 1
                continue
            if self.defer_rises and v["monthly_amount"] > old["monthly_amount"]:
                self._request(key, v, old)
                continue
            Benefit.objects.filter(pk=old["id"]).update(**{f: v[f] for f in changes})
            self._log("update", "benefit", codes.CATEGORY_SHORT[v["category"]], v["household"], changes)
            self.summary["benefits_changed"] += 1
        insert_rows(Benefit, ["household_id", "person_id", "category", "person_key", *BENEFIT_FIELDS], new_rows)
        self.summary["benefits_new"] = len(new_rows)
        if self.defer_rises:
            PendingBenefitChange.objects.filter(pk__in=self.superseded).update(
                status=PendingBenefitChange.Status.SUPERSEDED, decided_at=self.now, note=f"被导入批次 {self.batch} 的新申请取代"
            )
            PendingBenefitChange.objects.bulk_create(self.requests)
            self.summary["benefits_pending"] = len(self.requests)

    def _request(self, key, v: dict, old: dict | None) -> None:
        """Queues a new or higher benefit for county confirmation; the same request twice
        (the same file imported again) is one request."""
        wanted = (v["since"], v["monthly_amount"], v["support_mode"], v["institution"], old and old["id"])
        prior = self.open_requests.get(key)
        if prior and (prior.since, prior.monthly_amount, prior.support_mode, prior.institution, prior.benefit_id) == wanted:
            self.summary["unchanged"] += 1
            return
        if prior:
            self.superseded.append(prior.pk)
        old_amount = old["monthly_amount"] if old else None
        self.requests.append(
            PendingBenefitChange(
                household_id=key[0],
                person_id=self.person_ids.get(v["id_number"]),
                person_key=key[1],
                category=key[2],
                benefit_id=old and old["id"],
                old_amount=old_amount,
                since=v["since"],
                monthly_amount=v["monthly_amount"],
                support_mode=v["support_mode"],
                institution=v["institution"],
                requested_by=self.user if getattr(self.user, "pk", None) else None,
                requested_at=self.now,
                batch=self.batch,
            )
        )
        self._log(
            "create",
            "pending_benefit",
            codes.CATEGORY_SHORT[v["category"]],
            v["household"],
            {"monthly_amount": [_show(old_amount), _show(v["monthly_amount"])]},
            "台账导入（待县级确认）",
        )
