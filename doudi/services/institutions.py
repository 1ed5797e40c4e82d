"""Writes for institutions (INS-1…8): the record, residents from the register (集中供养), the
safety inspection and its findings — each tracked to fixed on the workflow primitive (open →
fixed requires what was done and the date; refused otherwise) — the 应急预案 PDF on file and
the festival duty roster. Every write checks role and region and refuses bad input with a
Chinese message (ServiceError), changing nothing."""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from doudi.core import uploads
from doudi.core.models import Region
from doudi.core.roles import MANAGE_INSTITUTIONS
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.registry.models import Person
from doudi.services.common import ServiceError, audit, choice, count, day, guard, id_number, phone, text
from doudi.services.models import DutyShift, EmergencyPlan, Finding, FindingStep, Inspection, Institution, Resident

WHAT = "管理服务机构"
MAX_PLAN_BYTES = 20 * 1024 * 1024

F = Finding.State
FINDING_WORKFLOW = Workflow(
    noun="安全隐患",
    model=Finding,
    steps={
        "fix": Step((F.OPEN,), F.FIXED, MANAGE_INSTITUTIONS, "登记整改完成", reason_required=True),
        "reopen": Step((F.FIXED,), F.OPEN, MANAGE_INSTITUTIONS, "重新列为待整改", reason_required=True),
    },
    log=Log(FindingStep, "finding", reason_max=500),
    region_of=lambda finding: finding.region_code,
    labels=lambda state: F(state).label,
)


def _institution_fields(data: dict, user) -> dict:
    code = str(data.get("region") or "").strip()
    region = Region.objects.filter(code=code, level__in=(Region.Level.TOWNSHIP, Region.Level.COUNTY)).first()
    if region is None:
        raise ServiceError("请选择机构所在的乡镇（或县）")
    guard(user, MANAGE_INSTITUTIONS, region.code, WHAT, "机构")
    out = {
        "name": text(data, "name", "机构名称", limit=100),
        "kind": choice(data, "kind", "机构类型", Institution.Kind.choices),
        "region": region,
        "address": text(data, "address", "地址", required=False),
        "beds": count(data, "beds", "床位总数"),
        "nursing_beds": count(data, "nursing_beds", "护理型床位"),
        "winter_beds": count(data, "winter_beds", "冬季保障床位"),
        "heating": choice(data, "heating", "取暖方式", Institution.Heating.choices),
        "head": text(data, "head", "负责人", required=False, limit=32),
        "phone": phone(data, "phone", "联系电话"),
        "contact": text(data, "contact", "安全联络人", required=False, limit=32),
        "contact_phone": phone(data, "contact_phone", "联络人电话"),
    }
    if out["nursing_beds"] > out["beds"]:
        raise ServiceError(f"护理型床位（{out['nursing_beds']}）不能多于床位总数（{out['beds']}）")
    return out


def institution_save(*, user, data: dict, institution: Institution | None = None) -> Institution:
    """Creates an institution, or updates one (its region may change only within the user's scope)."""
    fields = _institution_fields(data, user)
    if institution is not None:
        guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    try:
        with transaction.atomic():
            if institution is None:
                institution = Institution.objects.create(created_by=user, **fields)
                audit(user, "institution", institution.pk, {"名称": institution.name, "类型": institution.get_kind_display()})
            else:
                before = {k: getattr(institution, k) for k in fields}
                for key, value in fields.items():
                    setattr(institution, key, value)
                institution.save()
                changed = {k: f"{before[k]} → {v}" for k, v in fields.items() if before[k] != v}
                audit(user, "institution", institution.pk, changed, action="update")
    except IntegrityError:
        raise ServiceError(f"{fields['region'].name}已有名为「{fields['name']}」的机构") from None
    return institution


def resident_add(*, user, institution: Institution, data: dict) -> Resident:
    """A register person moves in (集中供养): named by ID number, in the user's scope, not living in another institution."""
    guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    number = id_number(str(data.get("id_number") or ""), "入住人员身份证号")
    person = Person.objects.select_related("household").filter(id_number=number).first()
    from doudi.core.scoping import in_scope

    if person is None or not in_scope(user, person.household.region_id):
        raise ServiceError("台账中没有该身份证号的人员（或不在您的管辖范围内）：请先在台账中登记")
    since = day(data, "since", "入住日期")
    if since > timezone.localdate():
        raise ServiceError("入住日期不能晚于今天")
    current = Resident.objects.filter(person=person, until__isnull=True).select_related("institution").first()
    if current is not None:
        raise ServiceError(f"{person.name}已入住{current.institution.name}，请先登记离开")
    try:
        with transaction.atomic():
            resident = Resident.objects.create(
                institution=institution,
                person=person,
                since=since,
                created_by=user,
                note=text(data, "note", "备注", required=False),
            )
            audit(user, "resident", resident.pk, {"机构": institution.name, "人员": person.name, "入住": since})
    except IntegrityError:
        raise ServiceError(f"{person.name}已入住其他机构") from None
    return resident


def resident_leave(*, user, resident: Resident, data: dict) -> Resident:
    guard(user, MANAGE_INSTITUTIONS, resident.institution.region_id, WHAT, "机构")
    until = day(data, "until", "离开日期")
    if resident.until is not None:
        raise ServiceError("该人员已登记离开")
    if until < resident.since:
        raise ServiceError("离开日期不能早于入住日期")
    with transaction.atomic():
        if not Resident.objects.filter(pk=resident.pk, until__isnull=True).update(until=until):
            raise ServiceError("该人员已登记离开")
        audit(user, "resident", resident.pk, {"离开": until}, text(data, "reason", "离开原因", required=False), action="end")
    resident.refresh_from_db()
    return resident


def inspection_add(*, user, institution: Institution, data: dict) -> Inspection:
    guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    on = day(data, "on", "检查日期")
    if on > timezone.localdate():
        raise ServiceError("检查日期不能晚于今天")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            institution=institution,
            on=on,
            kind=choice(data, "kind", "检查类型", Inspection.Kind.choices),
            inspectors=text(data, "inspectors", "检查人员"),
            note=text(data, "note", "检查情况", required=False, limit=2000),
            created_by=user,
        )
        audit(user, "inspection", inspection.pk, {"机构": institution.name, "日期": on})
    return inspection


def finding_add(*, user, inspection: Inspection, data: dict) -> Finding:
    institution = inspection.institution
    guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    due = day(data, "due", "整改期限", required=False)
    if due is not None and due < inspection.on:
        raise ServiceError("整改期限不能早于检查日期")
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection,
            institution=institution,
            region_code=institution.region_id,
            area=choice(data, "area", "隐患类别", Finding.Area.choices),
            description=text(data, "description", "隐患描述", limit=500),
            due=due,
        )
        FINDING_WORKFLOW.record(finding, user, F.OPEN, "检查发现隐患").save()
    return finding


def finding_fix(*, user, finding: Finding, note: str, fixed_on) -> Finding:
    """open → fixed: refused without what was done or without the date (nothing changes)."""
    if not str(note or "").strip():
        raise ServiceError("请填写整改情况（采取了哪些措施），否则不能登记整改完成")
    when = day({"d": fixed_on}, "d", "整改完成日期")
    if when > timezone.localdate():
        raise ServiceError("整改完成日期不能晚于今天")
    if when < finding.inspection.on:
        raise ServiceError("整改完成日期不能早于发现隐患的检查日期")
    note = note.strip()[:500]
    try:
        return FINDING_WORKFLOW.move(finding, "fix", user, note, {"fixed_on": when.isoformat()}, fix_note=note, fixed_on=when)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None


def finding_reopen(*, user, finding: Finding, reason: str) -> Finding:
    try:
        return FINDING_WORKFLOW.move(finding, "reopen", user, reason)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None


def plan_upload(*, user, institution: Institution, upload, title: str) -> EmergencyPlan:
    """应急预案: a PDF by its first bytes (never by its name), stored under a random name."""
    guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    title = text({"t": title}, "t", "预案名称", limit=100)
    if upload is None:
        raise ServiceError("请选择预案文件（PDF）")
    name = Path(upload.name or "预案.pdf").name[:120]
    try:
        uploads.sniff(upload, allowed=(uploads.PDF,), max_bytes=MAX_PLAN_BYTES)
    except uploads.UploadRefused as exc:
        raise ServiceError(f"{exc}（应急预案请上传 PDF）") from None
    with transaction.atomic():
        plan = EmergencyPlan.objects.create(
            institution=institution, title=title, file=upload, name=name, size=upload.size, uploaded_by=user
        )
        audit(user, "plan", plan.pk, {"机构": institution.name, "预案": title})
    return plan


def duty_add(*, user, institution: Institution, data: dict) -> DutyShift:
    guard(user, MANAGE_INSTITUTIONS, institution.region_id, WHAT, "机构")
    on = day(data, "on", "值班日期")
    try:
        with transaction.atomic():
            return DutyShift.objects.create(
                institution=institution,
                on=on,
                post=choice(data, "post", "岗位", DutyShift.Post.choices),
                person=text(data, "person", "值班人", limit=32),
                phone=phone(data, "phone", "值班电话", required=True),
                created_by=user,
            )
    except IntegrityError:
        raise ServiceError("该值班安排已登记") from None
