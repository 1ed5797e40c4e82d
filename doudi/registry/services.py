"""Writes to the register. Every function is atomic and leaves an audit trail."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from doudi.core.models import Region, UnmaskLog
from doudi.core.roles import UNMASK_BANK, UNMASK_ID, can
from doudi.core.tabular.errors import ErrorList
from doudi.core.unmasking import reason_from
from doudi.registry.importing.apply import RegistryWriter
from doudi.registry.importing.parse import check_benefit_holders, parse_tables
from doudi.registry.importing.reader import csv_encodings, encoding_note, open_registry
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


def registry_import(
    *, paths: list, user=None, dry_run: bool = False, progress=None, label: str = "", expected_versions: dict | None = None
) -> dict:
    """Imports docs/interfaces.md §4 files all-or-nothing. Raises ImportRejected with every row error;
    returns the summary of what changed (or would change, for a dry run).

    A user's dry run also returns `versions`, the record versions it saw; passing them
    back as `expected_versions` refuses rows changed since that preview (issue 12 A8)."""
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
            writer = RegistryWriter(parsed, user=user, batch=batch, progress=progress, expected_versions=expected_versions)
            writer.check(errors)
            errors.raise_if_any()
            seen = writer.versions_seen() if dry_run and user is not None else None
            summary = writer.write()
            changed = any(v for k, v in summary.items() if k != "unchanged")
            summary["batch"] = batch
            # Which encoding each CSV was read as (a GBK file from Excel is decoded, not refused).
            summary["encoding_note"] = encoding_note(csv_encodings(paths))
            if dry_run:
                raise _DryRun(summary | ({"versions": seen} if seen is not None else {}))
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


def person_unmask(*, user, person: Person, field: str, reason: str, note: str = "", ip: str | None = None) -> str:
    """The full ID number or bank account, logged with why (core/unmasking.py); PermissionError
    for roles without the right, ReasonMissing (Chinese) without a usable reason: then
    nothing is shown and nothing is logged."""
    needed = {"id_number": UNMASK_ID, "bank_account": UNMASK_BANK}[field]
    if not can(user, needed):
        raise PermissionError("您的角色无权查看完整信息")
    why = reason_from(reason, note)
    UnmaskLog.objects.create(
        user=user, role=user.role, person_id_number=person.id_number, field=field, ip=ip, reason=why.kind, note=why.note
    )
    return getattr(person, field)


class ConcurrentEdit(Exception):
    """Someone saved the record after this form was opened."""


EDITABLE_PERSON_FIELDS = [
    "name",
    "relation",
    "disability_kind",
    "disability_level",
    "serious_illness",
    "self_care",
    "employed",
    "school_stage",
    "income_wage",
    "income_business",
    "income_property",
    "income_transfer",
    "income_exempt",
    "capable_supporter",
    "phone",
    "bank_name",
    "bank_account",
]


EDITABLE_HOUSEHOLD_FIELDS = [
    "hukou",
    "address",
    "financial_assets",
    "vehicle_count",
    "vehicle_value",
    "property_count",
    "business_count",
    "medical_expense_12m",
    "education_expense_12m",
]


def person_update(*, user, person: Person, changes: dict, reason: str, expected_version: int) -> dict:
    """Corrects a person's record; returns {field: [old, new]}."""
    from doudi.core import pinyin

    def derive(update):
        return {"name_initials": pinyin.initials(update["name"])} if "name" in update else {}

    return _versioned_update(
        user=user,
        record=person,
        editable=EDITABLE_PERSON_FIELDS,
        changes=changes,
        derive=derive,
        reason=reason,
        expected_version=expected_version,
        entity="person",
        key=person.id_number,
        household_code=person.household.code,
        what="此人员信息",
    )


def household_update(*, user, household: Household, changes: dict, reason: str, expected_version: int) -> dict:
    """Corrects a household's own facts (hukou, address, assets, expenditure); returns {field: [old, new]}."""
    return _versioned_update(
        user=user,
        record=household,
        editable=EDITABLE_HOUSEHOLD_FIELDS,
        changes=changes,
        derive=lambda update: {"updated_at": timezone.now()},
        reason=reason,
        expected_version=expected_version,
        entity="household",
        key=household.code,
        household_code=household.code,
        what="此家庭信息",
    )


def _versioned_update(
    *, user, record, editable, changes, derive, reason, expected_version, entity, key, household_code, what
) -> dict:
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
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="update",
            entity=entity,
            entity_key=key,
            household_code=household_code,
            changes=diff,
            reason=reason,
        )
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
        # An end still ahead (渐退, a stop from a later month) may be brought forward: a death
        # during 渐退 ends it now. One already ended on or before `until` is refused.
        if locked.until is not None and locked.until <= until:
            raise ValueError(f"该待遇已于 {locked.until} 终止")
        before = locked.until.isoformat() if locked.until else None
        if until < locked.since:
            raise ValueError(f"终止日期 {until} 早于开始日期 {locked.since}")
        locked.until = until
        locked.save(update_fields=["until"])
        AuditEntry.objects.create(
            user=user if getattr(user, "pk", None) else None,
            role=getattr(user, "role", ""),
            action="end",
            entity="benefit",
            entity_key=codes.CATEGORY_SHORT[locked.category],
            household_code=locked.household.code,
            changes={"until": [before, until.isoformat()]},
            reason=reason[:200],
        )
    benefit.until = until


def pending_benefit_decide(*, user, pending, confirm: bool, note: str = "") -> None:
    """A county role confirms (the benefit is created or raised now) or rejects a benefit
    request from a township import; both are audited. A benefit that changed since the
    request is refused rather than overwritten."""
    from doudi.core import codes
    from doudi.core.models import AuditEntry
    from doudi.registry.models import PendingBenefitChange

    if not PendingBenefitChange.may_decide(user):
        raise PermissionError("只有县级民政部门可以确认或驳回乡镇导入的保障")
    with transaction.atomic():
        locked = PendingBenefitChange.objects.select_for_update(of=("self",)).select_related("household").get(pk=pending.pk)
        if locked.status != PendingBenefitChange.Status.PENDING:
            raise ValueError(f"此申请{locked.get_status_display()}，不能再处理")
        label, now = codes.CATEGORY_SHORT[locked.category], timezone.now()
        if confirm:
            action, changes = _apply_pending(locked)
            AuditEntry.objects.create(
                user=user,
                role=user.role,
                action=action,
                entity="benefit",
                entity_key=label,
                household_code=locked.household.code,
                changes=changes,
                reason=f"县级确认乡镇导入的保障{('：' + note) if note else ''}"[:200],
                batch=locked.batch,
            )
        locked.status = PendingBenefitChange.Status.CONFIRMED if confirm else PendingBenefitChange.Status.REJECTED
        locked.decided_by, locked.decided_at, locked.note = user, now, note[:200]
        locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="update",
            entity="pending_benefit",
            entity_key=label,
            household_code=locked.household.code,
            changes={"状态": ["待确认", locked.get_status_display()]},
            reason=(note or "县级审核乡镇导入的保障")[:200],
            batch=locked.batch,
        )


def _apply_pending(pending) -> tuple[str, dict]:
    from doudi.registry.models import Benefit

    if (
        pending.person_id
        and Person.objects.filter(pk=pending.person_id).values_list("household_id", flat=True).get() != pending.household_id
    ):
        raise ValueError("此人已不在该户，请驳回此申请，核实后重新导入")
    wanted = {
        "since": pending.since,
        "monthly_amount": pending.monthly_amount,
        "support_mode": pending.support_mode,
        "institution": pending.institution,
    }
    if pending.benefit_id is None:
        if Benefit.objects.filter(
            household_id=pending.household_id, person_key=pending.person_key, category=pending.category, until__isnull=True
        ).exists():
            raise ValueError("该户已有此项保障在享，请驳回此申请，核实后重新导入")
        Benefit.objects.create(
            household_id=pending.household_id,
            person_id=pending.person_id,
            person_key=pending.person_key,
            category=pending.category,
            **wanted,
        )
        return "create", {"monthly_amount": [None, str(pending.monthly_amount)]}
    benefit = Benefit.objects.select_for_update().get(pk=pending.benefit_id)
    if benefit.until is not None or benefit.monthly_amount != pending.old_amount:
        raise ValueError("该保障在申请后已有变化，请驳回此申请，核实后重新导入")
    changes = {f: [str(getattr(benefit, f)), str(v)] for f, v in wanted.items() if getattr(benefit, f) != v}
    Benefit.objects.filter(pk=benefit.pk).update(**{f: wanted[f] for f in changes})
    return "update", changes


def benefit_start(*, household, category: str, since, monthly_amount, reason: str, user, person=None, support_mode: str = ""):
    """Starts a benefit from `since` (its first day in force), audited like benefit_stop. Used
    when a case is approved (doudi.cases); a benefit already held for the same holder and
    category is refused rather than doubled (a person is paid each subsidy once)."""
    from doudi.core import codes
    from doudi.core.models import AuditEntry
    from doudi.registry.models import Benefit

    if not reason.strip():
        raise ValueError("新增待遇必须填写依据")
    if category not in codes.CATEGORIES:
        raise ValueError(f"未知保障类别 {category}")
    person_key = person.id_number if person is not None else ""
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        if Benefit.objects.filter(household=locked, person_key=person_key, category=category, until__isnull=True).exists():
            raise ValueError(f"该{'人员' if person else '家庭'}已在享受{codes.CATEGORY_SHORT[category]}，不能重复纳入")
        benefit = Benefit.objects.create(
            household=locked,
            person=person,
            person_key=person_key,
            category=category,
            since=since,
            monthly_amount=monthly_amount,
            support_mode=support_mode,
        )
        AuditEntry.objects.create(
            user=user if getattr(user, "pk", None) else None,
            role=getattr(user, "role", ""),
            action="create",
            entity="benefit",
            entity_key=codes.CATEGORY_SHORT[category],
            household_code=locked.code,
            changes={"since": [None, since.isoformat()], "monthly_amount": [None, str(monthly_amount)]},
            reason=reason[:200],
        )
    return benefit
