"""Writes for care: special-group flags (audited), visits on the 附件1 form with both
signatures and photos, and the problems they find, moved to closure on the one workflow
primitive (core/workflow.py: open → assigned → solved, what was done required to close)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from doudi.care import groups
from doudi.care.models import PersonGroup, Problem, ProblemTransition, Visit, VisitPhoto
from doudi.core import uploads, workdays
from doudi.core.models import AuditEntry
from doudi.core.roles import HANDLE_PROBLEMS, MANAGE_GROUPS, RECORD_CHILD_VISIT, RECORD_VISIT, can
from doudi.core.scoping import in_scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIGNATURE_BYTES = 512 * 1024
PNG = b"\x89PNG\r\n\x1a\n"

S = Problem.State
PROBLEM_WORKFLOW = Workflow(
    noun="问题",
    model=Problem,
    steps={
        "assign": Step((S.OPEN, S.ASSIGNED), S.ASSIGNED, HANDLE_PROBLEMS, "交办"),
        "solve": Step((S.ASSIGNED,), S.SOLVED, HANDLE_PROBLEMS, "办结", reason_required=True),
    },
    log=Log(ProblemTransition, "problem", reason_max=500),
    region_of=lambda problem: problem.region_code,
    labels=lambda state: S(state).label,
)


class CareError(ValueError):
    """Bad input or a refused write; the message is for the user (Chinese)."""


def _village(person) -> str:
    return person.household.region_id


# -- special groups ------------------------------------------------------------------------
def group_set(*, user, person, group: str, active: bool, note: str = "") -> PersonGroup:
    """Sets (or removes) one special-group flag by hand; an audit entry records old → new."""
    if not can(user, MANAGE_GROUPS) or not in_scope(user, _village(person)):
        raise PermissionError("您的角色或管辖范围无权设置该人员的特殊群体")
    if group not in groups.SPECIAL:
        raise CareError(f"未知的特殊群体「{group}」")
    with transaction.atomic():
        flag = PersonGroup.objects.select_for_update().filter(person=person, group=group).first()
        before = flag.active if flag else None
        if flag is None:
            flag = PersonGroup(person=person, group=group)
        elif flag.active == active:
            return flag
        flag.active, flag.note, flag.set_by, flag.set_at = active, note[:200], user, timezone.now()
        flag.source = "hand"  # a later import leaves a flag set by hand alone (care/imported.py)
        flag.save()
        label = groups.label(group)
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="update" if before is not None else "create",
            entity="person",
            entity_key=person.id_number,
            household_code=person.household.code,
            changes={"特殊群体": [label if before else "", label if active else f"（不属于）{label}"]},
            reason=(note or ("设置特殊群体" if active else "取消特殊群体"))[:200],
        )
    return flag


# -- visits --------------------------------------------------------------------------------
def _signature(data: bytes | None, who: str) -> bytes:
    if not data:
        raise CareError(f"缺少{who}签字：请在签字框内签名")
    if not data.startswith(PNG):
        raise CareError(f"{who}签字不是 PNG 图片，请重新签名")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise CareError(f"{who}签字图片过大（超过 {MAX_SIGNATURE_BYTES // 1024}KB），请清除后重签")
    return data


def _photo_type(upload) -> str:
    try:
        return uploads.sniff(upload, max_bytes=MAX_PHOTO_BYTES, what="照片")[0]
    except uploads.UploadRefused as exc:
        raise CareError(str(exc)) from None


def may_visit(user, person, today: dt.date) -> bool:
    """RECORD_VISIT: anyone in scope; RECORD_CHILD_VISIT (儿童主任): a 困境儿童 only."""
    if can(user, RECORD_VISIT):
        return True
    from doudi.care.children import is_child_now

    return can(user, RECORD_CHILD_VISIT) and is_child_now(person, today)


def visit_record(
    *,
    user,
    person,
    visited_on: dt.date,
    answers: dict,
    notes: dict,
    categories: list,
    health: list,
    record: str = "",
    problems_text: str = "",
    measures: str = "",
    visitor_signature: bytes | None,
    person_signature: bytes | None,
    photos=(),
    client_key: str,
) -> tuple[Visit, bool]:
    """Stores one visit and opens a problem for every answer needing action. Returns (visit,
    created); a client_key already stored returns that visit (a draft sent twice)."""
    village = _village(person)
    if not in_scope(user, village) or not (can(user, RECORD_VISIT) or can(user, RECORD_CHILD_VISIT)):
        raise CareError("该人员不在您负责的村（社区），不能登记走访")
    if not may_visit(user, person, visited_on):
        raise CareError("您的角色只能为困境儿童登记走访")
    existing = Visit.objects.filter(client_key=client_key).first() if client_key else None
    if existing is not None:
        if existing.person_id != person.pk or existing.visitor_id != user.pk:
            raise CareError("提交标识重复，请刷新页面后重新填写")
        return existing, False
    if not client_key or len(client_key) > 40:
        raise CareError("缺少提交标识，请刷新页面后重新填写")
    missing = [str(n) for n in groups.QUESTIONS if answers.get(n) is None]
    if missing:
        raise CareError(f"走访排查情况第 {'、'.join(missing)} 项未选择“是”或“否”")
    if visited_on > timezone.localdate():
        raise CareError("走访时间不能晚于今天")
    if set(categories) - set(groups.FORM_CATEGORIES) or set(health) - set(groups.HEALTH):
        raise CareError("人员类别或身体健康状况有未知选项")
    if "healthy" in health and len(health) > 1:
        raise CareError("身体健康状况选了“健康”，就不能同时选残疾、大病或慢性病")
    signatures = (_signature(visitor_signature, "走访排查人"), _signature(person_signature, "困难群众"))
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise CareError(f"照片最多 {MAX_PHOTOS} 张")
    kinds = [_photo_type(p) for p in photos]
    from doudi.care.duties import age_on

    visit = Visit(
        person=person,
        region_code=village,
        township_code=village[:9],
        visited_on=visited_on,
        visitor=user,
        role=getattr(user, "role", ""),
        name=person.name,
        sex=person.sex,
        age=age_on(person.birth_date, visited_on),
        categories=[c for c in groups.FORM_CATEGORIES if c in categories],
        health=[h for h in groups.HEALTH if h in health],
        record=record,
        problems_text=problems_text,
        measures=measures,
        client_key=client_key,
        **{f"q{n}": bool(answers[n]) for n in groups.QUESTIONS},
        **{f"q{n}_note": (notes.get(n) or "")[:500] for n in groups.QUESTIONS},
    )
    stamp = f"{visited_on:%Y%m%d}-{person.pk}-{client_key[:8]}"
    visit.visitor_signature.save(f"v-{stamp}.png", ContentFile(signatures[0]), save=False)
    visit.person_signature.save(f"p-{stamp}.png", ContentFile(signatures[1]), save=False)
    try:
        with transaction.atomic():
            visit.save()
            for upload, kind in zip(photos, kinds):
                VisitPhoto.objects.create(visit=visit, file=upload, content_type=kind, size=upload.size)
            _open_problems(visit, user)
    except IntegrityError:
        # The same draft arrived twice at once: the other request stored it.
        again = Visit.objects.filter(client_key=client_key, person=person).first()
        if again is None:
            raise
        return again, False
    return visit, True


def _open_problems(visit: Visit, user) -> list[Problem]:
    try:
        from doudi.rules.policy import parameter

        days = int(parameter("care.problem.deadline_days", visit.region_code, visit.visited_on).value)
        deadline = workdays.add(visit.visited_on, days)
    except workdays.CalendarError:
        deadline = None  # the year's holidays are not published yet: shown as 待定, never guessed
    made = []
    for number, needs_action in groups.ACTION_ANSWER.items():
        if visit.answer(number) != needs_action:
            continue
        text = visit.note(number).strip() or visit.problems_text.strip() or groups.QUESTIONS[number]
        problem = Problem.objects.create(
            visit=visit,
            person_id=visit.person_id,
            region_code=visit.region_code,
            township_code=visit.township_code,
            question=number,
            description=text[:1000],
            found_on=visit.visited_on,
            deadline=deadline,
        )
        PROBLEM_WORKFLOW.record(problem, user, S.OPEN, "走访发现", {"visit": visit.pk}).save()
        made.append(problem)
    return made


# -- problems ------------------------------------------------------------------------------
def problem_assign(*, user, problem: Problem, owner: str, note: str = "") -> Problem:
    """Gives the problem to its 责任单位 (the township, or a 股室 of the county bureau)."""
    if owner not in Problem.Owner.values:
        raise WorkflowError("请选择责任单位")
    label = Problem.Owner(owner).label
    return PROBLEM_WORKFLOW.move(problem, "assign", user, note.strip() or f"交办{label}", {"owner": owner}, owner=owner)


def problem_solve(*, user, problem: Problem, outcome: str, solved_on: dt.date | None = None) -> Problem:
    """Closed only with what was done (the outcome)."""
    if not outcome.strip():
        raise WorkflowError("办结问题须填写办理结果（做了什么）")
    solved_on = solved_on or timezone.localdate()
    if solved_on > timezone.localdate() or solved_on < problem.found_on:
        raise WorkflowError("解决日期应在发现日期和今天之间")
    return PROBLEM_WORKFLOW.move(
        problem, "solve", user, outcome, {"solved_on": solved_on.isoformat()}, outcome=outcome.strip(), solved_on=solved_on
    )


# -- family members living apart (REG-7) ---------------------------------------------------------
def family_contact_add(*, user, person, name: str, relation: str, duty: str, phone: str = "", address: str = ""):
    """Records a family member living apart; helpers may, since they know the families."""
    import re

    from doudi.care.models import FamilyContact

    if not can(user, RECORD_VISIT) or not in_scope(user, _village(person)):
        raise PermissionError("您的角色或管辖范围无权登记该人员的家庭成员")
    name, relation, phone = name.strip(), relation.strip(), phone.strip()
    if not name or not relation:
        raise CareError("请填写家庭成员的姓名和关系")
    if duty not in FamilyContact.Duty.values:
        raise CareError("请选择应履行的义务（赡养、抚养或扶养）")
    if phone and not re.fullmatch(r"[0-9\-+ ]{7,20}", phone):
        raise CareError(f"联系电话「{phone}」格式不对，应为 7–20 位数字")
    with transaction.atomic():
        contact = FamilyContact.objects.create(
            person=person,
            name=name[:32],
            relation=relation[:16],
            duty=duty,
            phone=phone,
            address=address.strip()[:100],
            created_by=user,
        )
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="create",
            entity="person",
            entity_key=person.id_number,
            household_code=person.household.code,
            reason="登记分开居住的家庭成员",
            changes={"分开居住的家庭成员": ["", f"{relation} {name}（{contact.get_duty_display()}）"]},
        )
    return contact


def family_contact_end(*, user, contact, reason: str):
    if not can(user, RECORD_VISIT) or not in_scope(user, _village(contact.person)):
        raise PermissionError("您的角色或管辖范围无权修改该人员的家庭成员")
    if not reason.strip():
        raise CareError("请说明删除原因")
    with transaction.atomic():
        contact.active = False
        contact.save(update_fields=["active"])
        person = contact.person
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="end",
            entity="person",
            entity_key=person.id_number,
            household_code=person.household.code,
            reason=reason.strip()[:200],
            changes={"分开居住的家庭成员": [f"{contact.relation} {contact.name}", ""]},
        )
    return contact
