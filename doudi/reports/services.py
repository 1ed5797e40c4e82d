"""Writes for reports: computing a statutory table for a period and freezing it when it is
submitted (who, when, the numbers). A table is computed only for a period that has ended
(a running week's numbers would change tomorrow); a second submission of the same period
is a correction, kept as the next version with its reason — nothing is overwritten."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from doudi.core.models import AuditEntry, Region
from doudi.core.roles import SUBMIT_REPORTS, can
from doudi.core.scoping import in_scope
from doudi.reports import festival, periods, winter, xlsx
from doudi.reports.models import ReportVersion
from doudi.reports.winter import ReportError

# docs/interfaces.md §1 names both kinds.
KINDS = {
    winter.KIND: "保障困难群众温暖过冬情况统计表（附件2，每周三报）",
    festival.KIND: "元旦春节期间困难群众兜底保障有关工作开展情况统计表（重庆，统计日期 YYYY-MM-DD）",
}
PLANNED: dict[str, str] = {}


def kind_check(kind: str) -> str:
    if kind in KINDS:
        return kind
    if kind in PLANNED:
        raise ReportError(f"报表「{PLANNED[kind]}」（{kind}）尚未开通")
    raise ReportError(f"未知的报表类型「{kind}」，可用：{'、'.join(KINDS)}")


def report_check(*, kind: str, period: str, region_code: str, today: dt.date | None = None):
    """(week, region) of a table that may be made; ReportError / PeriodError (Chinese) otherwise."""
    kind_check(kind)
    if kind == festival.KIND:
        when = festival.ended_day(period, today or timezone.localdate())
    else:
        when = periods.ended_week(period, today or timezone.localdate())
    return when, winter.region_get(region_code)


def compute(kind: str, region: Region, when) -> dict:
    return festival.compute(region, when) if kind == festival.KIND else winter.compute(region, when)


def due_of(kind: str, period: str, region: Region):
    if kind == festival.KIND:
        return festival.parse_day(period).due_for(region.level)
    return periods.parse_week(period).due


def report_compute(*, kind: str, period: str, region_code: str, today: dt.date | None = None) -> dict:
    """The table for an ended period, as of its last day."""
    when, region = report_check(kind=kind, period=period, region_code=region_code, today=today)
    return compute(kind, region, when)


def _totals(data: dict) -> dict:
    if data["kind"] == festival.KIND:
        return {k: data["total"][k] for k in festival.FIGURES}
    return {k: data["total"][k] for k in (*winter.PERSON_FIGURES, "assist_times", "amount_yuan", "found", "solved")}


def report_submit(
    *, user, kind: str, period: str, region_code: str, filler: str, phone: str, reason: str = "", today: dt.date | None = None
) -> ReportVersion:
    """Freezes the table computed now as the next version; a correction must say why."""
    if not can(user, SUBMIT_REPORTS):
        raise ReportError("您的角色无权报送报表")
    region = winter.region_get(region_code)
    if not in_scope(user, region.code):
        raise ReportError(f"{region.name}不在您的管辖范围内")
    filler, phone, reason = filler.strip(), phone.strip(), reason.strip()
    if not filler or not phone:
        raise ReportError("报送须填写填报人和联系电话（表尾）")
    data = report_compute(kind=kind, period=period, region_code=region.code, today=today)
    previous = ReportVersion.objects.filter(kind=kind, period=data["period"], region=region).order_by("-version").first()
    if previous and not reason:
        raise ReportError(f"本期已报送第 {previous.version} 版；更正须写明原因，将保存为第 {previous.version + 1} 版")
    number = previous.version + 1 if previous else 1
    try:
        with transaction.atomic():
            version = ReportVersion.objects.create(
                kind=kind,
                period=data["period"],
                region=region,
                version=number,
                data=data,
                filler=filler[:32],
                phone=phone[:20],
                reason=reason[:200],
                submitted_by=user,
                role=getattr(user, "role", ""),
                due=due_of(kind, data["period"], region),
            )
            AuditEntry.objects.create(
                user=user,
                role=getattr(user, "role", ""),
                action="update" if previous else "create",
                entity="report",
                entity_key=f"{kind}:{data['period']}:{region.code}"[:64],
                reason=reason[:200] or "报送",
                changes={"version": number, "total": _totals(data)},
            )
    except IntegrityError:  # two submissions at once: the other one took this version number
        raise ReportError("本期报表刚由他人报送，请刷新页面后查看最新版本") from None
    return version


def latest_version(kind: str, period: str, region_code: str) -> ReportVersion | None:
    return ReportVersion.objects.filter(kind=kind, period=period, region_id=region_code).order_by("-version").first()


def version_note(version: ReportVersion | None) -> str:
    if version is None:
        return ""
    return f"；第 {version.version} 版" + (f"（更正：{version.reason}）" if version.reason else "")


def report_write(path, data: dict, version: ReportVersion | None = None) -> None:
    """Writes the .xlsx next to `path` and moves it into place: a failure leaves nothing behind."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        day = timezone.localtime(version.submitted_at).date() if version else None
        writer = xlsx.write_festival if data.get("kind") == festival.KIND else xlsx.write
        writer(
            temp,
            data,
            filler=version.filler if version else "",
            phone=version.phone if version else "",
            day=day,
            note=version_note(version),
        )
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def region_name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code
