"""What the two statutory tables' pages share: a Chinese refusal page, the paper-form .xlsx
download and submitting a version."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from doudi.reports import selectors, services
from doudi.reports.periods import PeriodError
from doudi.reports.winter import ReportError


def refused(request, message: str, status: int = 400):
    return render(request, "reports/refused.html", {"message": message}, status=status)


def xlsx_download(data: dict, version, title: str = "附件2_温暖过冬情况统计表") -> FileResponse:
    """The table as the paper form's .xlsx (a submitted version, or computed now)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as target:
        path = target.name
    try:
        services.report_write(path, data, version)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        os.unlink(path)
    suffix = f"_第{version.version}版" if version else ""
    name = f"{title}_{data['region']['name']}_{data['period']}{suffix}.xlsx"
    response = FileResponse(handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def submit_version(request, kind: str, period: str, region: str, url_name: str):
    """Freezes the table as a new version (who, when, 填报人, 联系电话; a correction's reason)."""
    unit = selectors.region_for(request.user, region)
    try:
        version = services.report_submit(
            user=request.user,
            kind=kind,
            period=period,
            region_code=unit.code,
            filler=request.POST.get("filler", ""),
            phone=request.POST.get("phone", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ReportError, PeriodError) as exc:
        return refused(request, str(exc))
    messages.success(request, f"已报送第 {version.version} 版，数字已固定")
    return redirect(reverse(url_name, args=[version.period, unit.code]) + f"?version={version.version}")
