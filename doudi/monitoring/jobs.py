"""Background job target: the comparison started from the web (doudi.core.jobs)."""

from __future__ import annotations

from django.urls import reverse

from doudi.core.jobs import JobFailed
from doudi.core.models import User
from doudi.monitoring.services import ComparisonError, comparison_run


def compare_job(progress, *, as_of: str, engine: str, region_code: str, user_id: int | None) -> dict:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    rules_total = {"n": None}

    def report(done, total, message):
        if total is not None:
            rules_total["n"] = total
        # Loading the inputs is step 0; each rule is one more step.
        progress.update(done if total is not None else 0, rules_total["n"] or 12, message=message)

    try:
        run, findings = comparison_run(as_of=as_of, engine=engine, user=user, region_code=region_code, progress=report)
    except ComparisonError as exc:
        raise JobFailed(str(exc)) from None
    total = {key: sum(c[key] for c in run.counts.values()) for key in ("found", "new", "open", "suppressed")}
    summary = (
        f"截至 {run.as_of} 比对完成（{engine}）：发现 {total['found']} 条，新增预警 {total['new']} 条，"
        f"仍待处理 {total['open']} 条，已处理且证据未变 {total['suppressed']} 条。"
    )
    return {"summary": summary, "run": run.pk, **total, "url": reverse("warning_list")}
