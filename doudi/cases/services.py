"""Writes of the cases app: receive an application, and each step of its case (docs/domain.md §4,
民发〔2021〕57号). Every move goes through CASE_WORKFLOW (compare-and-set, append-only
CaseStep); a refused move raises WorkflowError with a Chinese message and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from doudi.cases import clock
from doudi.cases.checking import rules_check
from doudi.cases.models import Case, CaseCounter
from doudi.cases.workflow import CASE_WORKFLOW, S, WorkflowError
from doudi.core import codes, idnumber
from doudi.core.models import Region
from doudi.core.roles import RECEIVE_CASES, Role, can
from doudi.core.scoping import in_scope
from doudi.registry.models import Person


class ApplicationRefused(Exception):
    """Bad input for a new application: {field: Chinese message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class DuplicateApplication(Exception):
    """The same applicant already has an open application of this category."""

    def __init__(self, number: str):
        super().__init__(f"该申请人已有同类申请正在办理（案件编号 {number}），不能重复提交")
        self.number = number


def _clean_application(data: dict) -> tuple[dict, dict[str, str]]:
    errors, out = {}, {}
    out["category"] = str(data.get("category") or "").strip()
    if out["category"] not in dict(Case._meta.get_field("category").choices):
        errors["category"] = "请选择申请类别（如 dibao 低保、tekun 特困）"
    try:
        out["id_number"] = idnumber.normalize(str(data.get("id_number") or ""))
    except idnumber.InvalidIdNumber as exc:
        errors["id_number"] = f"身份证号无效：{exc.message}"
    out["name"] = str(data.get("name") or "").strip()
    if not out["name"] or len(out["name"]) > 32:
        errors["name"] = "请填写申请人姓名（不超过32个字）"
    code = str(data.get("region") or "").strip()
    out["village"] = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if out["village"] is None:
        errors["region"] = f"未知的村（居）区划代码：{code or '（空）'}，请填写12位村级代码"
    out["reason"] = str(data.get("reason") or "").strip()
    if not out["reason"]:
        errors["reason"] = "请填写申请理由"
    channel = {"phone": "hotline"}.get(data.get("channel"), data.get("channel") or "window")
    out["channel"] = channel
    if channel not in Case.Channel.values:
        errors["channel"] = "申请渠道应为 window、village、hotline、online 或 api"
    out["phone"] = str(data.get("phone") or "").strip()[:20]
    out["promise"], out["special"] = bool(data.get("promise")), bool(data.get("special"))
    out["hukou"] = str(data.get("hukou") or "").strip()
    if out["hukou"] and out["hukou"] not in codes.HUKOU:
        errors["hukou"] = "户籍性质应为 urban（城镇）或 rural（农村）"
    out["address"] = str(data.get("address") or "").strip()[:200]
    try:
        out["members"] = clean_members(data.get("members"), skip=out.get("id_number", ""))
    except ValueError as exc:
        errors["members"] = str(exc)
    return out, errors


RELATION_WORDS = {**{v: k for k, v in codes.RELATIONS.items()}, **{k: k for k in codes.RELATIONS}, "本人": "head"}


def clean_members(raw, skip: str = "") -> list[dict]:
    """Other members of a new applicant's household: a list of {name, id_number, relation}
    (the API) or lines "姓名 身份证号 关系" (the form); ValueError (Chinese) for a bad one.
    The applicant's own entry (ID number `skip`, e.g. listed as head) is left out."""
    if not raw:
        return []
    if isinstance(raw, str):
        rows = []
        for line in raw.replace("，", " ").replace(",", " ").splitlines():
            parts = line.split()
            if parts:
                rows.append({"name": parts[0], "id_number": parts[1] if len(parts) > 1 else "", "relation": " ".join(parts[2:])})
        raw = rows
    if not isinstance(raw, list) or len(raw) > 20:
        raise ValueError("家庭成员应为不超过20人的名单")
    out = []
    for n, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        name = str(item.get("name") or "").strip()
        number, problem = idnumber.try_normalize(str(item.get("id_number") or ""))
        relation = RELATION_WORDS.get(str(item.get("relation") or "").strip())
        if number is not None and number == skip:
            continue
        if not name or len(name) > 32:
            raise ValueError(f"第 {n} 位家庭成员：请填写姓名")
        if number is None:
            raise ValueError(f"家庭成员 {name}：身份证号无效（{problem}）")
        if relation is None or relation == "head":
            raise ValueError(f"家庭成员 {name}：与申请人关系应为 配偶、子女、父母、孙子女、祖父母、兄弟姐妹 或 其他")
        out.append({"name": name, "id_number": number, "relation": relation})
    return out


def _receiving_region(user, village: Region) -> Region:
    """一门受理: the receiving office is the user's own (any township may receive for another
    in the same county); an online or API application is received by the village's township."""
    if user is None or not getattr(user, "pk", None):
        return village.parent
    if not can(user, RECEIVE_CASES):
        raise WorkflowError("您的角色无权受理申请")
    scope = user.scope_code or ""
    if user.role == Role.VILLAGE_HELPER and not in_scope(user, village.code):
        raise WorkflowError("村级协理员只能代办本村群众的申请")
    if not user.is_superuser and not village.code.startswith(scope[:6]):
        raise WorkflowError("只能受理本县群众的申请")
    return user.region or village.parent


def next_number(county: str, year: int) -> str:
    """140521-2026-000123: county, year, sequence; the counter row is updated in place so
    two receptions at once never get the same number."""
    with transaction.atomic():
        CaseCounter.objects.get_or_create(county=county, year=year)
        CaseCounter.objects.filter(county=county, year=year).update(last=F("last") + 1)
        last = CaseCounter.objects.filter(county=county, year=year).values_list("last", flat=True).get()
    return f"{county}-{year}-{last:06d}"


def case_receive(*, user, data: dict, today: dt.date | None = None) -> Case:
    """受理: a new case from an application; ApplicationRefused (per field),
    DuplicateApplication or WorkflowError when it cannot be received."""
    day = today or clock.today()
    clean, errors = _clean_application(data)
    if errors:
        raise ApplicationRefused(errors)
    village = clean["village"]
    received_by = _receiving_region(user, village)
    open_case = Case.objects.filter(
        applicant_id_number=clean["id_number"], category=clean["category"], state__in=Case.OPEN_STATES
    ).first()
    if open_case:
        raise DuplicateApplication(open_case.number)
    person = Person.objects.select_related("household").filter(id_number=clean["id_number"]).first()
    due = clock.deadlines(village.code, day, clean["special"])
    # A new applicant: the household as entered, created in the register when confirmed.
    new_household = {}
    if person is None and clean["category"] != "temp_assist":
        applicant = {"name": clean["name"], "id_number": clean["id_number"], "relation": "head"}
        others = [m for m in clean["members"] if m["id_number"] != clean["id_number"]]
        new_household = {"hukou": clean["hukou"], "address": clean["address"], "members": [applicant, *others]}
    actor = user if getattr(user, "pk", None) else None
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=next_number(village.code[:6], day.year),
                category=clean["category"],
                applicant_name=clean["name"],
                applicant_id_number=clean["id_number"],
                phone=clean["phone"],
                person=person,
                household=person.household if person else None,
                new_household=new_household,
                region=village,
                received_by_region=received_by,
                channel=clean["channel"],
                reason=clean["reason"],
                promise=clean["promise"],
                special=clean["special"],
                received_on=day,
                survey_due=due.survey_due,
                due=due.due,
                clock_note=due.note,
                created_by=actor,
            )
            CASE_WORKFLOW.record(case, actor, S.RECEIVED, f"受理申请（{case.get_channel_display()}）").save()
            if case.category == "temp_assist":  # its details: doudi/cases/temp.py (the API gives none)
                from doudi.cases.models import TempAssist

                TempAssist.objects.create(
                    case=case,
                    kind="emergency",
                    cause="other_emergency",
                    incident_on=day,
                    non_resident=person is None or person.household.region_id[:6] != village.code[:6],
                )
    except IntegrityError:
        # Another submission of the same application won the race (the database constraint).
        existing = (
            Case.objects.filter(applicant_id_number=clean["id_number"], category=clean["category"], state__in=Case.OPEN_STATES)
            .values_list("number", flat=True)
            .first()
        )
        raise DuplicateApplication(existing or "") from None
    return case


def case_check(*, case: Case, user, findings: str = "", today: dt.date | None = None) -> Case:
    """家庭经济状况核对: the rules' decision, explanation and parameter month stored on the case."""
    day = today or clock.today()
    CASE_WORKFLOW.check(case, "check", user)
    _link_register(case)
    found = rules_check(case, day)
    return CASE_WORKFLOW.move(
        case,
        "check",
        user,
        found["text"][:500],
        {
            "eligible": found["eligible"],
            "amount": str(found["amount"]) if found["amount"] is not None else None,
            "month": found["month"],
        },
        person=case.person,
        household=case.household,
        rules_eligible=found["eligible"],
        rules_amount=found["amount"],
        rules_text=found["text"],
        rules_month=found["month"],
        rules_data=found["data"],
        findings=findings.strip(),
    )


def _link_register(case: Case) -> None:
    if case.household_id is None:
        person = Person.objects.select_related("household").filter(id_number=case.applicant_id_number).first()
        if person:
            case.person, case.household = person, person.household


def case_survey(*, case: Case, user, notes: str) -> Case:
    """入户调查: the record of the visit (photos are uploaded as case documents)."""
    if not notes.strip():
        raise WorkflowError("请填写入户调查情况")
    return CASE_WORKFLOW.move(case, "survey", user, "入户调查：" + notes.strip()[:480], survey_notes=notes.strip())


def case_publicize(*, case: Case, user, today: dt.date | None = None) -> Case:
    """公示 for the parameter's days (calendar days, the first day included)."""
    day = today or clock.today()
    if case.category == "temp_assist":
        raise WorkflowError("临时救助按救助金额由乡镇或县级审批，不经公示后审核确认的环节")
    CASE_WORKFLOW.check(case, "publicize", user)
    from doudi.cases.deliberation import publicity_allowed

    publicity_allowed(case, day)
    days = int(clock.value("cases.publicity_days", case.region_id, day))
    end = day + dt.timedelta(days=days - 1)
    return CASE_WORKFLOW.move(
        case, "publicize", user, f"公示 {days} 天，{day:%Y-%m-%d} 至 {end:%Y-%m-%d}", publicity_start=day, publicity_end=end
    )


def case_clocks_refresh() -> tuple[int, int]:
    """Deadlines of open cases that could not be computed when received (a year the calendar
    did not know), once it knows it: (computed, still unknown). Only the dates change; the
    case's step and version stay as they are."""
    done = left = 0
    for case in Case.objects.filter(state__in=Case.OPEN_STATES, due__isnull=True).order_by("id").iterator():
        due = clock.deadlines(case.region_id, case.received_on, case.special, case.paused_days)
        if due.due is None:
            left += 1
            continue
        Case.objects.filter(pk=case.pk, due__isnull=True).update(survey_due=due.survey_due, due=due.due, clock_note="")
        done += 1
    return done, left
