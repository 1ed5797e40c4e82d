"""Writes to the register. Every function is atomic and leaves an audit trail."""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from doudi.core.models import Region, UnmaskLog
from doudi.core.roles import UNMASK_BANK, UNMASK_ID, can
from doudi.registry.importing.apply import RegistryWriter
from doudi.registry.importing.errors import ErrorList
from doudi.registry.importing.parse import check_benefit_holders, parse_tables
from doudi.registry.importing.reader import open_registry
from doudi.registry.models import Household, ImportBatch, Person


class _DryRun(Exception):
    """Raised inside the transaction to roll a preview back."""


def file_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        for item in files:
            with item.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def registry_import(*, paths: list, user=None, dry_run: bool = False, progress=None, label: str = "") -> dict:
    """Imports SPEC §4 files all-or-nothing. Raises ImportRejected with every row error;
    returns the summary of what changed (or would change, for a dry run)."""
    progress = progress or (lambda stage, done, total: None)
    errors = ErrorList()
    tables = open_registry(paths)
    known_regions = set(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    progress("读取并校验", 0, 0)
    parsed = parse_tables(tables, known_regions, errors)
    check_benefit_holders(parsed, errors)
    errors.raise_if_any()
    batch = uuid.uuid4().hex[:12]
    try:
        with transaction.atomic():
            writer = RegistryWriter(parsed, user=user, batch=batch, progress=progress)
            writer.check(errors)
            errors.raise_if_any()
            summary = writer.write()
            changed = any(v for k, v in summary.items() if k != "unchanged")
            summary["batch"] = batch
            if dry_run:
                raise _DryRun(summary)
            ImportBatch.objects.create(
                user=user if getattr(user, "pk", None) else None,
                file_name=label or ", ".join(Path(p).name for p in paths),
                sha256=file_digest(paths),
                status=ImportBatch.Status.APPLIED if changed else ImportBatch.Status.UNCHANGED,
                summary=summary,
            )
    except _DryRun as preview:
        return preview.args[0]
    return summary


def person_unmask(*, user, person: Person, field: str, ip: str | None = None) -> str:
    """The full ID number or bank account, logged; PermissionError for roles without the right."""
    needed = {"id_number": UNMASK_ID, "bank_account": UNMASK_BANK}[field]
    if not can(user, needed):
        raise PermissionError("您的角色无权查看完整信息")
    UnmaskLog.objects.create(user=user, role=user.role, person_id_number=person.id_number, field=field, ip=ip)
    return getattr(person, field)


class ConcurrentEdit(Exception):
    """Someone saved the record after this form was opened."""


EDITABLE_PERSON_FIELDS = ["name", "relation", "disability_kind", "disability_level", "serious_illness", "self_care", "employed",
                          "school_stage", "income_wage", "income_business", "income_property", "income_transfer", "income_exempt",
                          "capable_supporter", "phone", "bank_name", "bank_account"]


EDITABLE_HOUSEHOLD_FIELDS = ["hukou", "address", "financial_assets", "vehicle_count", "vehicle_value", "property_count",
                             "business_count", "medical_expense_12m", "education_expense_12m"]


def person_update(*, user, person: Person, changes: dict, reason: str, expected_version: int) -> dict:
    """Corrects a person's record; returns {field: [old, new]}."""
    from doudi.core import pinyin

    def derive(update):
        return {"name_initials": pinyin.initials(update["name"])} if "name" in update else {}

    return _versioned_update(user=user, record=person, editable=EDITABLE_PERSON_FIELDS, changes=changes, derive=derive,
                             reason=reason, expected_version=expected_version, entity="person",
                             key=person.id_number, household_code=person.household.code, what="此人员信息")


def household_update(*, user, household: Household, changes: dict, reason: str, expected_version: int) -> dict:
    """Corrects a household's own facts (hukou, address, assets, expenditure); returns {field: [old, new]}."""
    return _versioned_update(user=user, record=household, editable=EDITABLE_HOUSEHOLD_FIELDS, changes=changes,
                             derive=lambda update: {"updated_at": timezone.now()},
                             reason=reason, expected_version=expected_version, entity="household",
                             key=household.code, household_code=household.code, what="此家庭信息")


def _versioned_update(*, user, record, editable, changes, derive, reason, expected_version, entity, key, household_code, what) -> dict:
    """The version check makes two clerks editing the same record at once end with one save
    and one clear refusal; every saved change is audited (old → new, reason)."""
    from django.db.models import F

    from doudi.core.models import AuditEntry
    from doudi.core.roles import EDIT_REGISTRY

    if not can(user, EDIT_REGISTRY):
        raise PermissionError("您的角色无权修改台账")
    if not reason.strip():
        raise ValueError("修改台账必须填写原因")
    diff = {f: [str(getattr(record, f)), str(v)] for f, v in changes.items() if f in editable and getattr(record, f) != v}
    if not diff:
        return {}
    update = {f: changes[f] for f in diff}
    update |= derive(update)  # columns kept in step with the changed ones (name → pinyin initials)
    with transaction.atomic():
        saved = type(record).objects.filter(pk=record.pk, version=expected_version).update(**update, version=F("version") + 1)
        if not saved:
            raise ConcurrentEdit(f"{what}已被他人修改，请刷新页面后重新填写")
        AuditEntry.objects.create(user=user, role=user.role, action="update", entity=entity, entity_key=key,
                                  household_code=household_code, changes=diff, reason=reason)
    return diff


def benefit_stop(*, benefit, until, reason: str, user) -> None:
    """Ends a benefit on `until` (its last day in force), audited. Used when a warning is
    confirmed (doudi.monitoring) and by anything else that stops a payment."""
    from doudi.core import codes
    from doudi.core.models import AuditEntry
    from doudi.registry.models import Benefit

    if not reason.strip():
        raise ValueError("停发待遇必须填写原因")
    with transaction.atomic():
        locked = Benefit.objects.select_for_update().select_related("household").get(pk=benefit.pk)
        if locked.until is not None:
            raise ValueError(f"该待遇已于 {locked.until} 终止")
        if until < locked.since:
            raise ValueError(f"终止日期 {until} 早于开始日期 {locked.since}")
        locked.until = until
        locked.save(update_fields=["until"])
        AuditEntry.objects.create(user=user if getattr(user, "pk", None) else None, role=getattr(user, "role", ""),
                                  action="end", entity="benefit", entity_key=codes.CATEGORY_SHORT[locked.category],
                                  household_code=locked.household.code, changes={"until": [None, until.isoformat()]},
                                  reason=reason[:200])
    benefit.until = until
