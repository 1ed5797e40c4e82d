"""批量开案: findings become cases in bulk, one per household and category, never twice for the
same finding (issue 14 item 4).

- a batch-evaluation difference (doudi.assessment): 应新增 → an application (kind "apply"),
  应停止 / 应调整金额 → a change case (kind "change") on the benefit held;
- a confirmed warning (doudi.monitoring) with outcome 纳入保障 → an application, 调整待遇 →
  a change case (停发 is done by the warning itself; 未参保失业人员 opens 临时救助 instead);
- a review due this month (doudi/cases/lifecycle.py) → a review case (kind "review").

Each finding has a key ("difference:<id>", "warning:<id>", "review:<benefit>:<YYYY-MM>") held
in CaseSource with a unique constraint: opening the same findings again — or twice at once —
opens nothing more, and the skipped ones are counted. A household that already has an open
case of the same category (one_open_case_per_applicant_category) is skipped as well.

Cases are created in chunks (one reserved block of numbers, bulk inserts of cases, steps and
sources per chunk); a chunk that meets a concurrent opening falls back to one case at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F

from doudi.cases import clock
from doudi.cases.models import CATEGORY_CHOICES, Case, CaseCounter, CaseSource
from doudi.cases.workflow import CASE_WORKFLOW, S, WorkflowError
from doudi.core import codes
from doudi.core.roles import PROCESS_CASES, can
from doudi.registry.models import Benefit, Household, Person

CHUNK = 500
CATEGORIES = {code for code, _ in CATEGORY_CHOICES} - {"temp_assist"}


@dataclass
class Finding:
    key: str
    label: str
    household: Household
    category: str
    kind: str  # Case.Kind
    person: Person | None = None  # the applicant (the person found, or the head of household)
    benefit: Benefit | None = None  # the benefit a change/review case concerns
    review_due: dt.date | None = None
    channel: str = Case.Channel.FINDING


@dataclass
class Result:
    opened: list[Case] = field(default_factory=list)
    skipped: int = 0  # findings already opened, or households with a case of that category open
    unusable: int = 0  # findings with nothing to open (household gone, benefit already ended)
    notes: list[str] = field(default_factory=list)


def may_open_bulk(user) -> bool:
    """County users (staff, admin) open cases from evaluations and warnings for their county."""
    code = getattr(user, "scope_code", None)
    return can(user, PROCESS_CASES) and code is not None and len(code) <= 6


# ---- findings --------------------------------------------------------------------------------
def _heads(household_ids) -> dict[int, Person]:
    heads: dict[int, Person] = {}
    for p in Person.objects.filter(household_id__in=household_ids).order_by("household_id", "id"):
        if p.household_id not in heads or p.relation == "head" and heads[p.household_id].relation != "head":
            heads[p.household_id] = p
    return heads


def _held(household_ids) -> dict[tuple, Benefit]:
    out = {}
    for b in Benefit.objects.filter(household_id__in=household_ids, until__isnull=True).select_related("person"):
        out.setdefault((b.household_id, b.category, b.person_key), b)
        out.setdefault((b.household_id, b.category, "*"), b)
    return out


def from_evaluation(user, run, *, changes=("start", "stop", "change_amount"), township: str = "") -> tuple[list[Finding], int]:
    """The run's differences in the user's scope → findings (and how many had nothing to open)."""
    from doudi.assessment.selectors import differences_for

    rows = [
        d
        for d in differences_for(user, run, township=township or None)
        .filter(change__in=changes)
        .select_related("household", "person")
        if d.household_id and d.category in CATEGORIES
    ]
    ids = {d.household_id for d in rows}
    heads, held = _heads(ids), _held(ids)
    found, unusable = [], 0
    for d in rows:
        label = f"{run.month} 批量评估：{d.get_change_display()}{codes.CATEGORY_SHORT.get(d.category, d.category)}"
        if d.change == "start":
            person = d.person or heads.get(d.household_id)
            found.append(Finding(f"difference:{d.pk}", label, d.household, d.category, Case.Kind.APPLY, person))
            continue
        benefit = held.get((d.household_id, d.category, d.person_key or ""))
        if benefit is None:
            unusable += 1
            continue
        if d.change == "change_amount":
            label += f"（{d.held_amount} → {d.new_amount} 元）"
        found.append(
            Finding(
                f"difference:{d.pk}",
                label,
                d.household,
                d.category,
                Case.Kind.CHANGE,
                benefit.person or heads.get(d.household_id),
                benefit,
            )
        )
    return found, unusable


def warnings_to_open(user, township: str = ""):
    """Confirmed warnings with outcome 纳入保障 or 调整待遇 in the user's scope (未参保失业人员
    go to 临时救助, doudi/cases/temp.py)."""
    from doudi.cases.models import TempAssist
    from doudi.monitoring.models import Warning
    from doudi.monitoring.selectors import warnings_for

    rows = warnings_for(user).filter(status=Warning.Status.CONFIRMED, outcome__in=(Warning.Outcome.ENROL, Warning.Outcome.ADJUST))
    rows = rows.exclude(rule="missed_unemployed").exclude(
        pk__in=TempAssist.objects.filter(warning__isnull=False).values("warning_id")
    )
    if township:
        rows = rows.filter(township_code=township)
    return rows.select_related("person", "household").order_by("township_code", "id")


def from_warnings(user, township: str = "") -> tuple[list[Finding], int]:
    rows = list(warnings_to_open(user, township))
    ids = {w.household_id for w in rows}
    heads, held = _heads(ids), _held(ids)
    found, unusable = [], 0
    for w in rows:
        category = w.detail.get("category") if isinstance(w.detail, dict) else None
        label = f"预警确认（{w.get_rule_display()}）：{w.get_outcome_display()}"
        if w.outcome == "enrol":
            category = category if category in CATEGORIES else "dibao"
            person = w.person if category not in codes.HOUSEHOLD_CATEGORIES else heads.get(w.household_id, w.person)
            found.append(Finding(f"warning:{w.pk}", label, w.household, category, Case.Kind.APPLY, person))
            continue
        benefit = held.get((w.household_id, category, w.person.id_number)) or held.get((w.household_id, category, "*"))
        benefit = benefit or next((b for k, b in held.items() if k[0] == w.household_id and k[2] == "*"), None)
        if benefit is None:
            unusable += 1
            continue
        found.append(
            Finding(
                f"warning:{w.pk}",
                label,
                w.household,
                benefit.category,
                Case.Kind.CHANGE,
                benefit.person or heads.get(w.household_id),
                benefit,
            )
        )
    return found, unusable


def from_reviews(rows, month: str) -> tuple[list[Finding], int]:
    """Reviews due (lifecycle.reviews_due) → findings; extended ones (emergency) are not opened."""
    ids = {r.household.pk for r in rows}
    heads = _heads(ids)
    found, unusable = [], 0
    for r in rows:
        if r.extended:
            unusable += 1
            continue
        b = r.benefit
        label = f"{month} 定期核查（每 {r.every} 个月{'，收入不固定且有劳动能力' if r.irregular else ''}）"
        found.append(
            Finding(
                f"review:{b.pk}:{month}",
                label,
                r.household,
                b.category,
                Case.Kind.REVIEW,
                b.person or heads.get(b.household_id),
                b,
                r.due,
                Case.Channel.SCHEDULE,
            )
        )
    return found, unusable


# ---- opening ---------------------------------------------------------------------------------
def open_cases(*, user, findings: list[Finding], origin: str, today: dt.date | None = None) -> Result:
    """Opens one case per household and category for the findings not opened before."""
    if not can(user, PROCESS_CASES):
        raise WorkflowError("您的角色无权开立案件")
    day = today or clock.today()
    result = Result()
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.person is None:
            result.unusable += 1
            continue
        groups.setdefault((f.household.pk, f.category, f.kind), []).append(f)
    taken = set()
    keys = [f.key for g in groups.values() for f in g]
    for i in range(0, len(keys), 5000):
        taken |= set(CaseSource.objects.filter(key__in=keys[i : i + 5000]).values_list("key", flat=True))
    todo = []
    for group in groups.values():
        if any(f.key in taken for f in group):
            result.skipped += 1
        else:
            todo.append(group)
    busy = _open_applicants([g[0] for g in todo])
    ready = []
    for group in todo:
        if (group[0].person.id_number, group[0].category) in busy:
            result.skipped += 1
        else:
            ready.append(group)
    for i in range(0, len(ready), CHUNK):
        chunk = ready[i : i + CHUNK]
        try:
            with transaction.atomic():
                result.opened += _create(chunk, user, origin, day)
        except IntegrityError:  # someone opened some of them meanwhile: one at a time
            for group in chunk:
                try:
                    with transaction.atomic():
                        result.opened += _create([group], user, origin, day)
                except IntegrityError:
                    result.skipped += 1
    return result


def _open_applicants(firsts: list[Finding]) -> set[tuple[str, str]]:
    wanted = {(f.person.id_number, f.category) for f in firsts}
    numbers = sorted({n for n, _ in wanted})
    out = set()
    for i in range(0, len(numbers), 5000):
        out |= set(
            Case.objects.filter(applicant_id_number__in=numbers[i : i + 5000], state__in=Case.OPEN_STATES).values_list(
                "applicant_id_number", "category"
            )
        )
    return out & wanted


def _numbers(county: str, year: int, count: int) -> list[str]:
    CaseCounter.objects.get_or_create(county=county, year=year)
    CaseCounter.objects.filter(county=county, year=year).update(last=F("last") + count)
    last = CaseCounter.objects.filter(county=county, year=year).values_list("last", flat=True).get()
    return [f"{county}-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def _create(groups: list[list[Finding]], user, origin: str, day: dt.date) -> list[Case]:
    by_county: dict[str, list] = {}
    for g in groups:
        by_county.setdefault(g[0].household.region_id[:6], []).append(g)
    deadlines: dict[str, clock.Deadlines] = {}
    actor = user if getattr(user, "pk", None) else None
    received_by = getattr(user, "region_id", None)
    cases = []
    for county, county_groups in by_county.items():
        numbers = _numbers(county, day.year, len(county_groups))
        for number, group in zip(numbers, county_groups):
            first = group[0]
            village = first.household.region_id
            if county not in deadlines:
                deadlines[county] = clock.deadlines(village, day, False)
            due = deadlines[county]
            reason = "；".join(f.label for f in group)[:2000]
            cases.append(
                Case(
                    number=number,
                    category=first.category,
                    kind=first.kind,
                    applicant_name=first.person.name,
                    applicant_id_number=first.person.id_number,
                    person=first.person,
                    household=first.household,
                    region_id=village,
                    received_by_region_id=received_by or village[:9],
                    channel=first.channel,
                    reason=reason,
                    received_on=day,
                    survey_due=due.survey_due,
                    due=due.due,
                    clock_note=due.note,
                    benefit=first.benefit,
                    review_due=first.review_due,
                    created_by=actor,
                    monthly_amount=first.benefit.monthly_amount if first.benefit else None,
                )
            )
    created = Case.objects.bulk_create(cases)
    steps, sources = [], []
    for case, group in zip(created, [g for gs in by_county.values() for g in gs]):
        steps.append(
            CASE_WORKFLOW.record(
                case, actor, S.RECEIVED, f"批量开案：{group[0].label}"[:500], {"sources": [f.key for f in group]}
            )
        )
        sources += [CaseSource(case=case, key=f.key, origin=origin, label=f.label[:200]) for f in group]
    CASE_WORKFLOW.log.model.objects.bulk_create(steps)
    CaseSource.objects.bulk_create(sources)
    return created
