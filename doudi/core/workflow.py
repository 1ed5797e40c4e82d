"""The one state-machine primitive: payroll runs and warnings now; cases, visits and problems next.

A workflow names, per action, the states it may start from, the state it leads to, the
permission it needs and its Chinese verb. A move is

- refused (WorkflowError, Chinese) for an unknown action, a role without the permission,
  an object outside the user's region, a missing required reason, or a user who already
  did an earlier step that must be done by someone else (maker-checker, docs/design.md §1.4);
- a compare-and-set UPDATE … WHERE state = <from> [AND version = <seen>]: of two clerks
  acting at once one succeeds and the other is told the object has moved on (PostgreSQL
  makes the second wait on the row lock, then re-tests the condition; SQLite runs one writer
  at a time);
- recorded as one append-only transition row: who, role, from, to, why, when (+ data).

Each app keeps its own transition table (its rows point at its own objects); `Log` says
which model and field names to write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from doudi.core.roles import can
from doudi.core.scoping import in_scope


class WorkflowError(Exception):
    """A move that is not allowed now; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str
    permission: str | None
    verb: str
    reason_required: bool = False
    # States whose entering user may not take this step (maker-checker): e.g. the approver
    # may not be the one who moved the run to "checked" or created it ("draft").
    not_by_who_entered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Log:
    model: type
    link: str  # the transition row's foreign key to the object
    from_field: str = "from_state"
    to_field: str = "to_state"
    reason_max: int = 200


@dataclass
class Workflow:
    noun: str  # Chinese, for messages: 花名册, 预警 …
    model: type
    steps: dict[str, Step]
    log: Log
    region_of: Callable[[object], str]
    state_field: str = "state"
    versioned: bool = True  # the model has a `version` counter, raised on every move
    # Also refuse a move from a stale copy (a form shown before someone else's edit).
    check_version: bool = True
    labels: Callable[[str], str] = field(default=lambda state: state)
    # Whether maker-checker applies to this object (a county may switch it off); default on.
    separate_duties: Callable[[object], bool] = field(default=lambda obj: True)

    # -- reading -------------------------------------------------------------------------
    def state(self, obj) -> str:
        return getattr(obj, self.state_field)

    def allowed(self, obj, user) -> list[str]:
        """The actions this user may take on obj now (for buttons)."""
        out = []
        for action in self.steps:
            try:
                self.check(obj, action, user, reason="-")
            except WorkflowError:
                continue
            out.append(action)
        return out

    def history(self, obj):
        return self.log.model.objects.filter(**{self.log.link: obj}).order_by("id")

    # -- checking ------------------------------------------------------------------------
    def _step(self, action: str) -> Step:
        if action not in self.steps:
            raise WorkflowError(f"未知操作「{action}」")
        return self.steps[action]

    def _permitted(self, step: Step, user, region: str) -> None:
        if step.permission and not can(user, step.permission):
            raise WorkflowError(f"您的角色无权{step.verb}{self.noun}")
        if not in_scope(user, region):
            raise WorkflowError(f"该{self.noun}不在您的管辖范围内")

    def check(self, obj, action: str, user, reason: str = "") -> Step:
        step = self._step(action)
        self._permitted(step, user, self.region_of(obj))
        current = self.state(obj)
        if current not in step.sources:
            raise WorkflowError(f"{self.noun}当前状态为“{self.labels(current)}”，不能{step.verb}（可能已由他人处理，请刷新页面）")
        if step.reason_required and not reason.strip():
            raise WorkflowError(f"{step.verb}{self.noun}须说明原因")
        if step.not_by_who_entered and self.separate_duties(obj) and self._entered_by(obj, step, user):
            raise WorkflowError(f"您已办理过该{self.noun}的上一环节，须由另一人{step.verb}（经办与审核分离）")
        return step

    def _entered_by(self, obj, step: Step, user) -> bool:
        rows = self.log.model.objects.filter(**{self.log.link: obj, f"{self.log.to_field}__in": step.not_by_who_entered})
        return rows.filter(user_id=getattr(user, "pk", None)).exists()

    # -- moving --------------------------------------------------------------------------
    def move(self, obj, action: str, user, reason: str = "", data: dict | None = None, **fields):
        """One step for one object; returns obj refreshed. `fields` are set in the same UPDATE."""
        step = self.check(obj, action, user, reason)
        before = self.state(obj)
        match = {"pk": obj.pk, self.state_field: before}
        changes = {self.state_field: step.target, **fields}
        if self.versioned:
            changes["version"] = F("version") + 1
            if self.check_version:
                match["version"] = obj.version
        with transaction.atomic():
            if not self.model.objects.filter(**match).update(**changes):
                raise WorkflowError(f"该{self.noun}已被他人处理（当前状态可能已变），请刷新页面后再试")
            self.log.model.objects.create(**self._row(obj, user, before, step, reason, data))
        obj.refresh_from_db()
        return obj

    def move_many(self, objs: Iterable, action: str, user, reason: str = "", **fields) -> int:
        """One step for many objects at once: all move, or none (WorkflowError)."""
        objs = list(objs)
        step = self._step(action)
        for obj in objs:
            self.check(obj, action, user, reason)
        with transaction.atomic():
            ids = {o.pk for o in objs}
            changes = {self.state_field: step.target, **fields}
            if self.versioned:
                changes["version"] = F("version") + 1
            moved = self.model.objects.filter(pk__in=ids, **{f"{self.state_field}__in": step.sources}).update(**changes)
            if moved != len(ids):
                raise WorkflowError(f"有 {len(ids) - moved} 个{self.noun}当前状态不能{step.verb}（可能已由他人处理，请刷新页面）")
            self.log.model.objects.bulk_create(
                [self.log.model(**self._row(o, user, self.state(o), step, reason, None)) for o in objs]
            )
        for obj in objs:
            setattr(obj, self.state_field, step.target)
        return len(objs)

    def record(self, obj, user, to_state: str, reason: str, data: dict | None = None, from_state: str = ""):
        """A transition row for a state entered outside a step (creation, a system import)."""
        return self.log.model(**self._row(obj, user, from_state, Step((), to_state, None, reason), reason, data))

    def _row(self, obj, user, before: str, step: Step, reason: str, data: dict | None) -> dict:
        row = {
            self.log.link: obj,
            "user": user if getattr(user, "pk", None) else None,
            "role": actor_role(user),
            self.log.from_field: before,
            self.log.to_field: step.target,
            "reason": (reason.strip() or step.verb)[: self.log.reason_max],
        }
        if data is not None:
            row["data"] = data
        return row


def actor_role(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    return "superuser" if getattr(user, "is_superuser", False) else getattr(user, "role", "")
