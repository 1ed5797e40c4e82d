"""Excel exports of any list: a title row, a header row, the rows; streamed to a temp
file in constant memory so a county-wide list does not fill the server's memory.

Each cell is written by its Python type, never guessed from its text: a str is a text cell
even when it starts with = + - @ (an address "=HYPERLINK(…)" typed by a clerk must not
become a live formula on the reader's machine), an int or float a number, a Decimal (money)
a number with two decimals, so Excel's SUM adds it up.

ID numbers and bank accounts leave masked exactly as the pages show them (`ExportMask`),
for every role. A full export is given only to a role that may unmask, when asked for
(`?unmasked=1`) with a reason, and is recorded in the audit trail (who, which export, how
many rows, when) like every other view of an unmasked value (DESIGN §1.5)."""
from __future__ import annotations

import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse

from doudi.core import idnumber

MONEY_FORMAT = "0.00"
# What a spreadsheet reads as the start of a formula (and DDE, for @).
FORMULA_STARTS = ("=", "+", "-", "@")


def write_xlsx(path, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Writes the workbook; returns the number of data rows written."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    heading = book.add_format({"bold": True, "font_size": 14})
    money = book.add_format({"num_format": MONEY_FORMAT})
    sheet.write_string(0, 0, title, heading)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    count = 0
    for index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            _cell(sheet, index, col, value, money)
        count += 1
    sheet.freeze_panes(2, 0)
    book.close()
    return count


def _cell(sheet, row: int, col: int, value, money) -> None:
    # sheet.write() would parse strings (formulas, URLs); every branch here names the type.
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, Decimal) and value.is_finite():
        sheet.write_number(row, col, float(value), money)
    elif isinstance(value, (int, float)) and not isinstance(value, Decimal) and math.isfinite(value):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def account_problem(account: str) -> str | None:
    """Why a bank account may not be saved or sent (a Chinese message), or None. Accounts
    are digits; one holding a control character or starting like a formula is refused
    before it reaches a bank file or a spreadsheet."""
    if not account:
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in account):
        return "银行账号含有控制字符（如换行、制表符），请重新输入"
    if account.lstrip().startswith(FORMULA_STARTS):
        return "银行账号不能以 =、+、-、@ 开头，请输入卡号数字"
    return None


@dataclass(frozen=True)
class ExportMask:
    """How one export shows ID numbers and bank accounts."""

    full_id: bool = False
    full_account: bool = False
    reason: str = ""

    @property
    def fields(self) -> list[str]:
        return [name for name, full in (("id_number", self.full_id), ("bank_account", self.full_account)) if full]

    def id(self, number: str | None) -> str:
        return (number or "") if self.full_id else idnumber.mask(number or "")

    def account(self, account: str | None) -> str:
        return (account or "") if self.full_account else idnumber.mask_account(account or "")

    def holder(self, key: str) -> str:
        """A payment line's holder: an ID number (18 characters) or a household code."""
        return self.id(key) if key and len(key) == 18 else key

    def values(self, data):
        """A warning's detail (JSON) with ID numbers and accounts masked unless unmasked."""
        return idnumber.mask_values(data, ids=not self.full_id, accounts=not self.full_account)


MASKED = ExportMask()


class ExportRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def export_mask(request) -> ExportMask:
    """Masked, unless `?unmasked=1&reason=…` from a role that may unmask: then the fields
    that role may see in full (finance: bank accounts only)."""
    from doudi.core.roles import UNMASK_BANK, UNMASK_ID, can

    if request.GET.get("unmasked") != "1":
        return MASKED
    full_id, full_account = can(request.user, UNMASK_ID), can(request.user, UNMASK_BANK)
    if not (full_id or full_account):
        raise ExportRefused("您的角色无权导出完整的身份证号或银行账号", 403)
    reason = request.GET.get("reason", "").strip()
    if not reason:
        raise ExportRefused("导出完整的身份证号或银行账号须填写原因（reason），导出将被记录", 400)
    return ExportMask(full_id=full_id, full_account=full_account, reason=reason[:200])


def export_response(request, filename: str, title: str, headers: Sequence[str],
                    rows: Callable[[ExportMask], Iterable[Sequence]]) -> HttpResponse:
    """An export of rows that hold ID numbers or bank accounts: `rows(mask)` formats them."""
    from doudi.core.models import AuditEntry

    try:
        mask = export_mask(request)
    except ExportRefused as exc:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain; charset=utf-8")
    response, count = _xlsx(filename, title, headers, rows(mask))
    if mask.fields:
        # action "create" as for bank files: the entry records a file handed out.
        AuditEntry.objects.create(
            user=request.user, role=getattr(request.user, "role", ""), action="create", entity="export",
            entity_key=filename[:64], reason=mask.reason,
            changes={"title": title, "path": request.get_full_path()[:500], "rows": count, "unmasked": mask.fields})
    return response


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    """An export without personal numbers in full (callers mask them, or hold none)."""
    return _xlsx(filename, title, headers, rows)[0]


def _xlsx(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> tuple[FileResponse, int]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as target:
        path = target.name
    try:
        count = write_xlsx(path, title, headers, rows)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response, count
