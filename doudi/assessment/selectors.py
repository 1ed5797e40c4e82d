"""Reads of the assessment app, always scoped to the user's region subtree.

A run over a county is visible to the county's staff and to each township's clerk
(who sees only the differences in their township); a run over one township is not
visible to another township. Differences are filtered by their household's region.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from doudi.assessment.models import Difference, EvaluationRun
from doudi.core.scoping import scope

ORDERINGS = {
    "township": ["township_code", "household_code", "category"],
    "household": ["household_code", "category"],
    "category": ["category", "township_code", "household_code"],
    "change": ["change", "township_code", "household_code"],
    "-new_amount": ["-new_amount", "household_code"],
    "-held_amount": ["-held_amount", "household_code"],
}


def runs_visible(user) -> QuerySet:
    """Runs over the user's subtree, or over a region containing it."""
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    runs = EvaluationRun.objects.select_related("created_by")
    if code is None:
        return runs.none()
    if code == "":
        return runs
    containing = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)] + [""]
    return runs.filter(Q(region_code__startswith=code) | Q(region_code__in=containing))


def run_get(user, pk: int) -> EvaluationRun:
    """The run, or EvaluationRun.DoesNotExist when missing or outside the user's scope."""
    return runs_visible(user).get(pk=pk)


def differences_for(
    user,
    run: EvaluationRun,
    *,
    township: str | None = None,
    category: str | None = None,
    change: str | None = None,
    order: str = "township",
) -> QuerySet:
    rows = scope(Difference.objects.filter(run=run), user, region_field="region_code")
    if township:
        rows = rows.filter(township_code=township)
    if category:
        rows = rows.filter(category=category)
    if change:
        rows = rows.filter(change=change)
    return rows.order_by(*ORDERINGS.get(order, ORDERINGS["township"]))


def difference_summary(user, run: EvaluationRun) -> list[dict]:
    """Counts by township × change for the user's part of the run."""
    from django.db.models import Count

    rows = scope(Difference.objects.filter(run=run), user, region_field="region_code")
    return list(rows.values("township_code", "change").annotate(n=Count("id")).order_by("township_code", "change"))
