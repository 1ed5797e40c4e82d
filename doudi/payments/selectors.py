"""Reads of runs and lines, scoped to the user's region subtree (docs/design.md §1.5).

A county run is seen by a township clerk of that county, but only their township's
lines and totals; a township run is invisible to any other township's clerk.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from doudi.core.scoping import scope
from doudi.payments.models import Overpayment, PaymentLine, PayrollRun, ReserveBalance, ReserveEntry

LINE_SORTS = {
    "township": ("township", "holder_key", "month"),
    "amount": ("-amount", "holder_key"),
    "name": ("name", "holder_key", "month"),
    "status": ("status", "township", "holder_key"),
}


def runs_for(user) -> QuerySet:
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    if code is None:
        return PayrollRun.objects.none()
    if code == "":
        return PayrollRun.objects.all()
    ancestors = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    return PayrollRun.objects.filter(Q(region__code__startswith=code) | Q(region_id__in=ancestors))


def run_get(user, pk: int) -> PayrollRun:
    run = runs_for(user).select_related("region", "created_by").filter(pk=pk).first()
    if run is None:
        raise Http404("没有找到该花名册，或不在您的管辖范围内")
    return run


def lines_for(user) -> QuerySet:
    return scope(PaymentLine.objects.all(), user, "village")


def run_lines(user, run: PayrollRun, *, township: str = "", status: str = "", q: str = "", sort: str = "township") -> QuerySet:
    lines = lines_for(user).filter(run=run)
    if township:
        lines = lines.filter(township=township)
    if status in PaymentLine.Status.values:
        lines = lines.filter(status=status)
    if q.strip():
        lines = lines.filter(Q(name__startswith=q.strip()) | Q(holder_key=q.strip()))
    return lines.order_by(*LINE_SORTS.get(sort, LINE_SORTS["township"]))


def overpayments_for(user) -> QuerySet:
    return scope(Overpayment.objects.select_related("person", "person__household"), user, "township")


def overpayment_get(user, pk: int) -> Overpayment:
    record = overpayments_for(user).filter(pk=pk).first()
    if record is None:
        raise Http404("没有找到该记录，或不在您的管辖范围内")
    return record


def reserve_entries_for(user) -> QuerySet:
    """临时救助备用金 entries of the townships in the user's subtree."""
    return scope(ReserveEntry.objects.select_related("township", "created_by"), user, "township__code")


def reserve_entry_get(user, pk: int) -> ReserveEntry:
    entry = reserve_entries_for(user).filter(pk=pk).first()
    if entry is None:
        raise Http404("没有找到该记录，或不在您的管辖范围内")
    return entry


def reserve_townships_for(user) -> QuerySet:
    """The townships in the user's subtree (the reserve page lists each, with or without entries)."""
    from doudi.core.models import Region

    return scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code").order_by("code")


def reserve_balances_for(user) -> dict[str, ReserveBalance]:
    return {b.township_id: b for b in scope(ReserveBalance.objects.all(), user, "township__code")}


def reserve_draws_between(region_code: str, first, last) -> QuerySet:
    """Confirmed 临时救助备用金 draws dated `first`…`last` in townships under `region_code`,
    confirmed reversals included (negative, dated when corrected: 红字冲销 in the period of the
    correction); a draw 待复核 or 已退回 has paid nothing. Not scoped: the caller checks the
    region (reports, issue 18)."""
    return ReserveEntry.objects.filter(
        kind=ReserveEntry.Kind.DRAW,
        state=ReserveEntry.State.CONFIRMED,
        township__code__startswith=region_code,
        on__gte=first,
        on__lte=last,
    ).select_related("township")


def reserve_pending_for(user) -> QuerySet:
    """Entries 待复核 in the user's townships (each still to be offered only to a permitted
    second person: reserve_check.may_check)."""
    return reserve_entries_for(user).filter(state=ReserveEntry.State.PENDING)


def reserve_waiting(user) -> list[ReserveEntry]:
    """Entries this user may confirm now (role, scope, not their own while duties are separate)."""
    from doudi.payments.reserve_check import may_check

    pending = reserve_pending_for(user).order_by("on", "id")[:500]
    return [e for e in pending if "confirm" in may_check(e, user)]


def writeoffs_waiting(user) -> list[Overpayment]:
    """Overpayments 待核销审批 this user may approve now (not the proposer while duties are separate)."""
    from doudi.payments.writeoff import WRITE_OFF_WORKFLOW

    proposed = overpayments_for(user).filter(state=Overpayment.State.WRITE_OFF).order_by("id")[:500]
    return [o for o in proposed if "approve" in WRITE_OFF_WORKFLOW.allowed(o, user)]


def runs_waiting(user) -> dict[str, list[PayrollRun]]:
    """Runs this user may move on now, by step: {"check": [...], "approve": [...]}. The run
    workflow decides (role, region, maker-checker: not the one who built or checked it)."""
    from doudi.payments.workflow import RUN_WORKFLOW

    S = PayrollRun.State
    out: dict[str, list[PayrollRun]] = {"check": [], "approve": []}
    for run in runs_for(user).filter(state__in=(S.DRAFT, S.CHECKED)).select_related("region").order_by("period", "id")[:500]:
        for action in RUN_WORKFLOW.allowed(run, user):
            if action in out:
                out[action].append(run)
    return out


def failed_lines_waiting(user) -> QuerySet:
    """Lines the bank returned as failed and not yet paid again, in the user's villages: the
    account is to be checked before the next run re-issues them."""
    from django.db.models import Exists, OuterRef

    reissued = PaymentLine.objects.filter(reissue_of=OuterRef("pk"))
    return lines_for(user).filter(status=PaymentLine.Status.FAILED).exclude(Exists(reissued))


def temp_assist_lines(numbers) -> dict[str, PaymentLine]:
    """The latest 临时救助县级发放 line of each case (by case number), with its run: what the case
    and the 临时救助台账 show (已纳入花名册 / 已报送银行 / 已到账 / 发放失败). Not scoped: the caller
    passes the numbers of cases it has already scoped."""
    from doudi.payments.temp_assist import ITEM

    lines = PaymentLine.objects.filter(item=ITEM, holder_key__in=list(numbers)).select_related("run").order_by("pk")
    return {line.holder_key: line for line in lines}


# -- reports (issue 18): runs sent, early and late --------------------------------------------
# Not scoped: the caller checks the region against the user (reports, supervision).
def runs_sent_annotated(region_code: str) -> QuerySet:
    """Runs that cover `region_code` (its own, its subtree's, or a county run above a township),
    each with `sent_at`: when it first moved to 已报送银行 (RunTransition), None if never."""
    from django.db.models import Min

    ancestors = [region_code[:n] for n in (2, 4, 6, 9) if n < len(region_code)]
    return PayrollRun.objects.filter(Q(region__code__startswith=region_code) | Q(region_id__in=ancestors)).annotate(
        sent_at=Min("transitions__at", filter=Q(transitions__to_state=PayrollRun.State.SENT))
    )


def run_lines_in(region_code: str, run_ids) -> QuerySet:
    """The lines of the given runs in townships under `region_code`."""
    return PaymentLine.objects.filter(run_id__in=list(run_ids), village__startswith=region_code)


def spending_under(region_code: str, first_month: str, last_month: str) -> list[dict]:
    """Money spent under `region_code` in `first_month`…`last_month` by fund source and month
    (ledger.spending: lines sent or paid, and 临时救助备用金 draws). Not scoped (reports)."""
    from doudi.payments import ledger

    lines = PaymentLine.objects.filter(village__startswith=region_code, month__gte=first_month, month__lte=last_month)
    draws = ReserveEntry.objects.filter(township__code__startswith=region_code, month__gte=first_month, month__lte=last_month)
    return ledger.spending(lines, by=("source", "month"), draws=draws)
