"""Background job targets for payroll builds started from the web (core/jobs.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from doudi.core.jobs import JobFailed
from doudi.core.models import User
from doudi.payments.payroll import payroll_build
from doudi.payments.runs import PayrollError
from doudi.rules.errors import RulesError


def build_job(progress, *, period: str, region: str, user_id: int, category: str = "", through: str = "") -> dict:
    user = User.objects.get(pk=user_id)
    try:
        runs = payroll_build(
            period=period,
            category=category or None,
            region=region,
            through=through or None,
            user=user,
            progress=lambda stage, done, total: progress.update(done, total, message=stage),
        )
    except (PayrollError, RulesError) as exc:
        raise JobFailed(str(exc)) from None
    people = sum(r["people"] for r in runs)
    amount = sum(float(r["amount"]) for r in runs)  # display only; the runs hold the Decimal totals
    return {
        "summary": f"生成 {len(runs)} 个花名册，{people} 人，{amount:,.2f} 元",
        "runs": runs,
        "url": reverse("payroll_list") + "?" + urlencode({"period": period}),
    }
