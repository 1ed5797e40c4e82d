"""Reads of the services app, scoped to the user's region subtree (core.scoping): a record
outside the scope is a 404 exactly like one that does not exist. `inkind_between` is the one
unscoped read, for the statutory weekly table (reports; the caller checks the region)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from doudi.core import idnumber
from doudi.core.models import Region
from doudi.core.scoping import scope
from doudi.services.models import (
    ColdSpell,
    Donation,
    DonationBalance,
    DonationSpend,
    DutyShift,
    EmergencyPlan,
    Encounter,
    Finding,
    GoodsBalance,
    GoodsEntry,
    Institution,
    Patrol,
    Referral,
    Resident,
    SearchNotice,
    WorkOrder,
)


def _one(rows: QuerySet, what: str, **match):
    found = rows.filter(**match).first()
    if found is None:
        raise Http404(f"没有找到该{what}，或不在您的管辖范围内")
    return found


def townships_for(user) -> list[Region]:
    return list(scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code").order_by("code"))


def region_choices(user) -> list[Region]:
    """Where an institution may lie: the user's county (a county-run institution) and townships."""
    return list(
        scope(Region.objects.filter(level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP)), user, "code").order_by("code")
    )


# -- institutions --------------------------------------------------------------------------
def institutions_for(user) -> QuerySet:
    return scope(Institution.objects.select_related("region"), user, "region__code")


def institution_search(user, *, q: str = "", kind: str = "", township: str = "", heating: str = "") -> QuerySet:
    rows = institutions_for(user).annotate(
        resident_count=Count("residents", filter=Q(residents__until__isnull=True), distinct=True),
        open_findings=Count("findings", filter=Q(findings__state=Finding.State.OPEN), distinct=True),
    )
    if q.strip():
        rows = rows.filter(Q(name__contains=q.strip()) | Q(address__contains=q.strip()))
    if kind in Institution.Kind.values:
        rows = rows.filter(kind=kind)
    if heating in Institution.Heating.values:
        rows = rows.filter(heating=heating)
    if township:
        rows = rows.filter(region__code__startswith=township)
    return rows.order_by("region_id", "name")


def institution_get(user, pk: int) -> Institution:
    return _one(institutions_for(user), "机构", pk=pk)


def residents_for(user, *, q: str = "", township: str = "", current: bool = True) -> QuerySet:
    rows = scope(
        Resident.objects.select_related("institution", "institution__region", "person", "person__household"),
        user,
        "institution__region__code",
    )
    if current:
        rows = rows.filter(until__isnull=True)
    if township:
        rows = rows.filter(institution__region__code__startswith=township)
    q = q.strip()
    if q:
        number, _ = idnumber.try_normalize(q)
        rows = (
            rows.filter(person__id_number=number)
            if number
            else rows.filter(Q(person__name__startswith=q) | Q(institution__name__contains=q))
        )
    return rows.order_by("institution__region_id", "institution__name", "since", "id")


def resident_get(user, institution: Institution, pk: int) -> Resident:
    return _one(Resident.objects.select_related("person", "institution").filter(institution=institution), "入住人员", pk=pk)


def findings_for(user, *, state: str = "open", area: str = "", township: str = "", q: str = "") -> QuerySet:
    rows = scope(Finding.objects.select_related("institution", "institution__region", "inspection"), user, "region_code")
    if state in Finding.State.values:
        rows = rows.filter(state=state)
    if area in Finding.Area.values:
        rows = rows.filter(area=area)
    if township:
        rows = rows.filter(region_code__startswith=township)
    if q.strip():
        rows = rows.filter(Q(institution__name__contains=q.strip()) | Q(description__contains=q.strip()))
    return rows.order_by("state", "due", "id")


def finding_get(user, pk: int) -> Finding:
    return _one(findings_for(user, state=""), "安全隐患", pk=pk)


def plan_get(user, institution: Institution, pk: int) -> EmergencyPlan:
    return _one(EmergencyPlan.objects.filter(institution=institution), "应急预案", pk=pk)


def shifts_for(user, *, start: dt.date | None = None, end: dt.date | None = None, township: str = "", q: str = "") -> QuerySet:
    rows = scope(DutyShift.objects.select_related("institution", "institution__region"), user, "institution__region__code")
    if start:
        rows = rows.filter(on__gte=start)
    if end:
        rows = rows.filter(on__lte=end)
    if township:
        rows = rows.filter(institution__region__code__startswith=township)
    if q.strip():
        rows = rows.filter(Q(institution__name__contains=q.strip()) | Q(person__startswith=q.strip()))
    return rows.order_by("on", "institution__region_id", "institution__name", "post", "id")


# -- hotline -------------------------------------------------------------------------------
def orders_for(user) -> QuerySet:
    return scope(WorkOrder.objects.select_related("township", "region", "case"), user, "region__code")


def order_get(user, pk: int) -> WorkOrder:
    return _one(orders_for(user), "工单", pk=pk)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Open and not answered by the response deadline."""
    now = now or timezone.now()
    return Q(state__in=(WorkOrder.State.RECEIVED, WorkOrder.State.ROUTED), respond_by__lt=now)


def order_search(
    user, *, q: str = "", kind: str = "", state: str = "", township: str = "", channel: str = "", overdue: bool = False
) -> QuerySet:
    rows = orders_for(user)
    q = q.strip()
    if q:
        number, _ = idnumber.try_normalize(q)
        if number:
            rows = rows.filter(caller_id_number=number)
        elif q.upper().startswith("RX") and q[6:].isdigit():
            rows = rows.filter(pk=int(q[6:]))
        else:
            rows = rows.filter(
                Q(caller_name__startswith=q) | Q(caller_phone__startswith=q) | Q(external_ref=q) | Q(need__contains=q)
            )
    if kind in WorkOrder.Kind.values:
        rows = rows.filter(kind=kind)
    if state == "open":
        rows = rows.filter(state__in=WorkOrder.OPEN_STATES)
    elif state in WorkOrder.State.values:
        rows = rows.filter(state=state)
    if channel in WorkOrder.Channel.values:
        rows = rows.filter(channel=channel)
    if township:
        rows = rows.filter(township__code__startswith=township)
    if overdue:
        rows = rows.filter(overdue_q())
    return rows.order_by("-received_at", "-id")


def _hours(later, earlier) -> float:
    return (later - earlier).total_seconds() / 3600


def order_times(user, *, start: dt.date, end: dt.date) -> dict:
    """Response and closure times per caller's township for orders received start…end: count,
    answered, answered on time, average hours to answer, closed, average hours to close,
    still open and overdue. With a 合计 row."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    last = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    rows = (
        orders_for(user)
        .filter(received_at__gte=first, received_at__lt=last)
        .values_list("township_id", "township__name", "received_at", "respond_by", "answered_at", "closed_at")
    )
    now = timezone.now()
    acc: dict = defaultdict(
        lambda: {
            "orders": 0,
            "answered": 0,
            "on_time": 0,
            "answer_hours": 0.0,
            "closed": 0,
            "close_hours": 0.0,
            "overdue": 0,
            "name": "",
        }
    )
    for code, name, received, respond_by, answered, closed in rows.iterator(chunk_size=2000):
        for key in (code, "total"):
            a = acc[key]
            a["name"] = name if key == code else "合计"
            a["orders"] += 1
            if answered:
                a["answered"] += 1
                a["answer_hours"] += _hours(answered, received)
                a["on_time"] += respond_by is None or answered <= respond_by
            elif respond_by and respond_by < now:
                a["overdue"] += 1
            if closed:
                a["closed"] += 1
                a["close_hours"] += _hours(closed, received)
    out = []
    for key, a in acc.items():
        a["code"] = key
        a["avg_answer"] = round(a["answer_hours"] / a["answered"], 1) if a["answered"] else None
        a["avg_close"] = round(a["close_hours"] / a["closed"], 1) if a["closed"] else None
        a["on_time_rate"] = round(100 * a["on_time"] / a["answered"], 1) if a["answered"] else None
        out.append(a)
    total = next((a for a in out if a["code"] == "total"), None)
    return {"rows": sorted((a for a in out if a["code"] != "total"), key=lambda a: a["code"]), "total": total}


# -- goods ---------------------------------------------------------------------------------
def _dated(rows: QuerySet, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """Rows dated (`on`) from `start` to `end`, either open."""
    if start:
        rows = rows.filter(on__gte=start)
    return rows.filter(on__lte=end) if end else rows


def _recipient(rows: QuerySet, q: str, *text: str) -> QuerySet:
    """Rows for the recipient whose ID number `q` is, else whose name starts with `q` or whose
    `text` fields hold it (a hand-out, a donation spend)."""
    q = q.strip()
    if not q:
        return rows
    number, _ = idnumber.try_normalize(q)
    if number:
        return rows.filter(recipient_id_number=number)
    match = Q(recipient_name__startswith=q)
    for field in text:
        match |= Q(**{f"{field}__contains": q})
    return rows.filter(match)


def balances_for(user, *, township: str = "", kind: str = "") -> QuerySet:
    rows = scope(GoodsBalance.objects.select_related("township"), user, "township__code")
    if township:
        rows = rows.filter(township__code__startswith=township)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("township_id", "kind")


def entries_for(
    user,
    *,
    direction: str = "",
    kind: str = "",
    township: str = "",
    q: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet:
    rows = scope(GoodsEntry.objects.select_related("township", "person"), user, "township__code")
    if direction in GoodsEntry.Direction.values:
        rows = rows.filter(direction=direction)
    if kind:
        rows = rows.filter(kind=kind)
    if township:
        rows = rows.filter(township__code__startswith=township)
    return _recipient(_dated(rows, start, end), q, "source").order_by("-on", "-id")


def inkind_between(region_code: str, first: dt.date, last: dt.date) -> dict[str, dict[str, int]]:
    """附件2 其他救助方式: hand-outs dated first…last in townships under `region_code`, as
    {township code: {kind: person-times}} — one person-time per hand-out of a kind to a person
    (a stove and a quilt to one person on one day are one person-time each). Every kind of
    GOODS_KINDS is counted; the table keeps the five it names (stove, coal, clothing, quilt,
    blanket). Not scoped: the caller checks the region (reports, issue 18)."""
    rows = (
        GoodsEntry.objects.filter(
            direction=GoodsEntry.Direction.OUT, township__code__startswith=region_code, on__gte=first, on__lte=last
        )
        .values("township_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        out[row["township_id"]][row["kind"]] = row["n"]
    return dict(out)


def goods_out_between(region_code: str, first: dt.date, last: dt.date, recorded_before: dt.datetime | None = None) -> QuerySet:
    """Hand-outs (direction out) dated first…last in townships under `region_code`; with
    `recorded_before`, only those entered before it. Not scoped: the caller checks the region
    (reports, issue 18: the festival table's 慰问品、御寒物资)."""
    rows = GoodsEntry.objects.filter(
        direction=GoodsEntry.Direction.OUT, township__code__startswith=region_code, on__gte=first, on__lte=last
    )
    if recorded_before is not None:
        rows = rows.filter(created_at__lt=recorded_before)
    return rows.select_related("township", "person")


# -- donations (the county's 捐赠专户) --------------------------------------------------------
def donation_balances(user) -> QuerySet:
    """The balance rows of the user's county (a township clerk sees the county's totals by purpose,
    never the donors): to know what may be spent."""
    code = (getattr(user, "scope_code", None) or "")[:6]
    if getattr(user, "scope_code", None) is None:
        return DonationBalance.objects.none()
    rows = DonationBalance.objects.select_related("county")
    return (rows.filter(county__code__startswith=code) if code else rows).order_by("county_id", "purpose", "item")


def gifts_for(
    user, *, q: str = "", state: str = "", purpose: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet:
    rows = scope(Donation.objects.select_related("county", "created_by"), user, "county__code")
    if state in ("recorded", "confirmed", "refused"):
        rows = rows.filter(state=state)
    if purpose:
        rows = rows.filter(purpose=purpose)
    rows = _dated(rows, start, end)
    if q.strip():
        rows = rows.filter(Q(donor__contains=q.strip()) | Q(receipt=q.strip()) | Q(goods__contains=q.strip()))
    return rows.order_by("-on", "-id")


def gift_get(user, pk: int) -> Donation:
    return _one(gifts_for(user), "捐赠", pk=pk)


def spends_for(
    user,
    *,
    q: str = "",
    state: str = "",
    purpose: str = "",
    township: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet:
    rows = scope(DonationSpend.objects.select_related("county", "township", "person", "created_by"), user, "region_code")
    if state in ("recorded", "confirmed", "refused"):
        rows = rows.filter(state=state)
    if purpose:
        rows = rows.filter(purpose=purpose)
    if township:
        rows = rows.filter(region_code__startswith=township)
    return _recipient(_dated(rows, start, end), q, "given", "reason").order_by("-on", "-id")


def spend_get(user, pk: int) -> DonationSpend:
    return _one(spends_for(user), "捐赠支出", pk=pk)


def thanks_list(county_code: str) -> list[Donation]:
    """The public thank-you list (no login): confirmed gifts whose donor agreed to be thanked.
    Not scoped (public); the page shows the donor, the date, the purpose and — only where the
    donor allowed it — the amount; never recipients."""
    return list(
        Donation.objects.filter(county_id=county_code, state="confirmed", thanks=True)
        .only("donor", "donor_kind", "on", "purpose", "item", "amount", "goods", "show_amount")
        .order_by("-on", "-id")
    )


# -- street rescue ---------------------------------------------------------------------------
def patrols_for(
    user, *, township: str = "", night: str = "", start: dt.date | None = None, end: dt.date | None = None, q: str = ""
) -> QuerySet:
    rows = scope(Patrol.objects.select_related("township"), user, "township__code").annotate(
        met=Count("encounters", distinct=True)
    )
    if township:
        rows = rows.filter(township__code__startswith=township)
    if night in ("night", "day"):
        rows = rows.filter(night=night == "night")
    if start:
        rows = rows.filter(started_at__date__gte=start)
    if end:
        rows = rows.filter(started_at__date__lte=end)
    if q.strip():
        rows = rows.filter(Q(area__contains=q.strip()) | Q(team__contains=q.strip()))
    return rows.order_by("-started_at", "-id")


def patrol_get(user, pk: int) -> Patrol:
    return _one(scope(Patrol.objects.select_related("township"), user, "township__code"), "巡查记录", pk=pk)


def encounters_for(user, *, q: str = "", placement: str = "", township: str = "") -> QuerySet:
    rows = scope(Encounter.objects.select_related("patrol", "township"), user, "township__code")
    if placement in Encounter.Placement.values:
        rows = rows.filter(placement=placement)
    if township:
        rows = rows.filter(township__code__startswith=township)
    q = q.strip()
    if q:
        number, _ = idnumber.try_normalize(q)
        rows = rows.filter(id_number=number) if number else rows.filter(Q(name__startswith=q) | Q(place__contains=q))
    return rows.order_by("-patrol__started_at", "-id")


def encounter_get(user, pk: int) -> Encounter:
    return _one(encounters_for(user), "巡查发现人员", pk=pk)


def notices_for(user, *, outcome: str = "", township: str = "") -> QuerySet:
    rows = scope(SearchNotice.objects.select_related("township", "encounter"), user, "township__code")
    if outcome in SearchNotice.Outcome.values:
        rows = rows.filter(outcome=outcome)
    if township:
        rows = rows.filter(township__code__startswith=township)
    return rows.order_by("-published_from", "-id")


def notice_get(user, pk: int) -> SearchNotice:
    return _one(notices_for(user), "寻亲公告", pk=pk)


def referrals_for(user, *, township: str = "", q: str = "") -> QuerySet:
    rows = scope(Referral.objects.select_related("township"), user, "township__code")
    if township:
        rows = rows.filter(township__code__startswith=township)
    q = q.strip()
    if q:
        number, _ = idnumber.try_normalize(q)
        rows = rows.filter(id_number=number) if number else rows.filter(Q(name__startswith=q) | Q(home__contains=q))
    return rows.order_by("-on", "-id")


def spells_for(user) -> QuerySet:
    """Cold-weather periods that concern the user: the county's own and its townships'."""
    code = getattr(user, "scope_code", None)
    if code is None:
        return ColdSpell.objects.none()
    county = code[:6]
    rows = ColdSpell.objects.select_related("region")
    if not code:
        return rows
    # A township clerk sees the county-wide periods and the township's own.
    return rows.filter(Q(region__code=county) | Q(region__code__startswith=code)).order_by("-start")


def patrol_counts(user, first: dt.date, last: dt.date) -> dict:
    """{(township code, local date): (patrols, night patrols)} in the user's scope."""
    rows = scope(Patrol.objects.all(), user, "township__code").filter(
        started_at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time.min)),
        started_at__lt=timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)),
    )
    out: dict = defaultdict(lambda: (0, 0))
    for township, started, night in rows.values_list("township_id", "started_at", "night").iterator(chunk_size=2000):
        key = (township, timezone.localtime(started).date())
        a, b = out[key]
        out[key] = (a + 1, b + int(night))
    return dict(out)
