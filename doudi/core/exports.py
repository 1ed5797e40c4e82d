"""Excel exports of any list: a title row, a header row, the rows; streamed to a temp
file in constant memory so a county-wide list does not fill the server's memory.

Each cell is written by its Python type, never guessed from its text: a str is a text cell
even when it starts with = + - @ (an address "=HYPERLINK(…)" typed by a clerk must not
become a live formula on the reader's machine), an int or float a number, a Decimal (money)
a number with two decimals, so Excel's SUM adds it up.

ID numbers and bank accounts leave masked exactly as the pages show them (`ExportMask`),
for every role. A full export is given only to a role that may unmask, when asked for
(`?unmasked=1`) with a reason (core/unmasking.py: a listed one, a note for 其他), and is recorded in the audit trail (who, which export, how
many rows, when) like every other view of an unmasked value (docs/design.md §1.5).

An export that says what it is (`ExportMeta`): the title row also carries, at its right, the
unit (单位：元/人/户), the filters the list was made with (in words, never codes), the as-of
date and 制表人 (who made it); the header row stays below it (row 2) and the data from row 3,
so readers that look for the header where it always was still find it. Where amounts are
listed (Decimal cells) a 合计 row follows the data with each amount column summed, so the
sheet's own SUM and the 合计 agree with the page's total."""

from __future__ import annotations

import datetime
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse

from doudi.core import idnumber

MONEY_FORMAT = "0.00"
# What a spreadsheet reads as the start of a formula (and DDE, for @).
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ExportMeta:
    """What an export says about itself above its header row (see the module docstring).

    `filters` is a ready sentence or (label, value) pairs, empty values left out; `user` the
    person making the table (their name becomes 制表人); `total` adds the 合计 row summing
    every amount (Decimal) column, and the columns named in `sums` (counts such as 人数), but
    not those named in `skip` (a per-person standard or a rate: adding them up means nothing)."""

    unit: str = "元"
    filters: str | Sequence[tuple[str, object]] = ""
    user: object = None
    as_of: datetime.date | None = None
    total: bool = True
    sums: tuple[str, ...] = field(default_factory=tuple)
    skip: tuple[str, ...] = field(default_factory=tuple)  # amounts that do not add up (a standard, a rate)

    @property
    def filter_text(self) -> str:
        if isinstance(self.filters, str):
            return self.filters or "全部"
        parts = [f"{label}：{value}" for label, value in self.filters if value not in (None, "")]
        return "；".join(parts) or "全部"

    @property
    def maker(self) -> str:
        user = self.user
        if user is None:
            return ""
        name = getattr(user, "display_name", None)
        name = name() if callable(name) else name
        return str(name or getattr(user, "username", ""))

    @property
    def date(self) -> datetime.date:
        if self.as_of is not None:
            return self.as_of
        from django.utils import timezone

        return timezone.localdate()

    def line(self) -> str:
        parts = [
            f"单位：{self.unit}" if self.unit else "",
            f"范围：{self.filter_text}",
            f"截至：{self.date.isoformat()}",
            f"制表人：{self.maker}" if self.maker else "",
        ]
        return "　".join(p for p in parts if p)


def write_xlsx(path, title: str, headers: Sequence[str], rows: Iterable[Sequence], meta: ExportMeta | None = None) -> int:
    """Writes the workbook; returns the number of data rows written (the 合计 row not counted)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(_sheet_name(title))
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    heading = book.add_format({"bold": True, "font_size": 14})
    money = book.add_format({"num_format": MONEY_FORMAT})
    sheet.write_string(0, 0, title, heading)
    if meta is not None:
        # At the right of the title row (right-aligned, running leftwards over empty cells)
        # so the header row stays row 2 for every reader of these files.
        right = book.add_format({"align": "right"}) if len(headers) >= 3 else book.add_format({})
        sheet.write_string(0, max(1, len(headers) - 1), meta.line(), right)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    summed = {headers.index(name) for name in (meta.sums if meta else ()) if name in headers}
    skipped = {headers.index(name) for name in (meta.skip if meta else ()) if name in headers}
    totals: dict[int, Decimal | int | float] = {}
    count = 0
    for index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            _cell(sheet, index, col, value, money)
            if col in skipped:
                pass
            elif isinstance(value, Decimal) and value.is_finite():
                totals[col] = totals.get(col, Decimal(0)) + value
            elif col in summed and isinstance(value, (int, float)) and not isinstance(value, bool):
                totals[col] = totals.get(col, 0) + value
        count += 1
    if meta is not None and meta.total and any(isinstance(v, Decimal) for v in totals.values()):
        bold_money = book.add_format({"bold": True, "num_format": MONEY_FORMAT, "top": 1})
        bold_text = book.add_format({"bold": True, "top": 1})
        at = count + 2
        label_col = next((c for c in range(len(headers)) if c not in totals), 0)
        sheet.write_string(at, label_col, "合计", bold_text)
        for col, value in totals.items():
            if isinstance(value, Decimal):
                sheet.write_number(at, col, float(value), bold_money)
            else:
                sheet.write_number(at, col, value, bold_text)
    sheet.freeze_panes(2, 0)
    book.close()
    return count


def _sheet_name(title: str) -> str:
    # Excel refuses a sheet name with []:*?/\ or longer than 31 characters.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")
    return (cleaned or "Sheet1")[:31]


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
    reason: str = ""  # in words: 银行代发核对：… (core/unmasking.py)
    reason_kind: str = ""  # its code, for the unmask log's filter

    @property
    def fields(self) -> list[str]:
        return [name for name, full in (("id_number", self.full_id), ("bank_account", self.full_account)) if full]

    def id(self, number: str | None) -> str:
        return (number or "") if self.full_id else idnumber.mask(number or "")

    def account(self, account: str | None) -> str:
        return (account or "") if self.full_account else idnumber.mask_account(account or "")

    def holder(self, key: str) -> str:
        """A payment line's holder: an ID number (masked) or a household code (shown: codes
        are 18 digits too, but masking them made different households look identical)."""
        return self.id(key) if is_id_number(key) else (key or "")

    def values(self, data):
        """A warning's detail (JSON) with ID numbers and accounts masked unless unmasked."""
        return idnumber.mask_values(data, ids=not self.full_id, accounts=not self.full_account)


MASKED = ExportMask()


def is_id_number(key: str | None) -> bool:
    """An 18-character 居民身份证号 (valid check digit or birth date), not a household code
    of the same length (region code + serial, or H + village code + serial)."""
    if not key or len(key) != 18 or not key[:17].isdigit() or key[17] not in "0123456789X":
        return False
    # Either sign is enough (an ID number with a typo is still masked); a code made of a
    # region code and a serial has neither, but for one chance in eleven.
    if idnumber.with_check_digit(key[:17]) == key:
        return True
    try:
        born = datetime.date(int(key[6:10]), int(key[10:12]), int(key[12:14]))
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= datetime.date.today()


class ExportRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def export_mask(request) -> ExportMask:
    """Masked, unless `?unmasked=1&reason_kind=…&reason=…` from a role that may unmask (a
    listed reason, the note required for 其他; `reason=` alone is 其他 with that note, or the
    listed reason it names): then the fields that role may see in full (finance: bank accounts
    only). No reason: refused, nothing written."""
    from doudi.core.roles import UNMASK_BANK, UNMASK_ID, can

    if request.GET.get("unmasked") != "1":
        return MASKED
    full_id, full_account = can(request.user, UNMASK_ID), can(request.user, UNMASK_BANK)
    if not (full_id or full_account):
        raise ExportRefused("您的角色无权导出完整的身份证号或银行账号", 403)
    from doudi.core.unmasking import ReasonMissing, reason_from_query

    try:
        why = reason_from_query(request.GET)
    except ReasonMissing as exc:
        raise ExportRefused(f"导出完整的身份证号或银行账号须说明原因，导出将被记录：{exc}", 400) from None
    return ExportMask(full_id=full_id, full_account=full_account, reason=why.text()[:200], reason_kind=why.kind)


def export_response(
    request,
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Callable[[ExportMask], Iterable[Sequence]],
    meta: ExportMeta | None = None,
) -> HttpResponse:
    """An export of rows that hold ID numbers or bank accounts: `rows(mask)` formats them."""
    from doudi.core.models import AuditEntry

    try:
        mask = export_mask(request)
    except ExportRefused as exc:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain; charset=utf-8")
    response, count = _xlsx(filename, title, headers, rows(mask), meta)
    if mask.fields:
        # action "create" as for bank files: the entry records a file handed out.
        AuditEntry.objects.create(
            user=request.user,
            role=getattr(request.user, "role", ""),
            action="create",
            entity="export",
            entity_key=filename[:64],
            reason=mask.reason,
            changes={
                "title": title,
                "path": request.get_full_path()[:500],
                "rows": count,
                "unmasked": mask.fields,
                "reason_kind": mask.reason_kind,
            },
        )
    return response


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], meta: ExportMeta | None = None
) -> FileResponse:
    """An export without personal numbers in full (callers mask them, or hold none)."""
    return _xlsx(filename, title, headers, rows, meta)[0]


def _xlsx(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], meta: ExportMeta | None = None
) -> tuple[FileResponse, int]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as target:
        path = target.name
    try:
        count = write_xlsx(path, title, headers, rows, meta)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response, count


# Print: ?print=1 on a list page renders every row of the filtered list on one page (no
# pager), headed with title, unit, filters, date and 制表人 — never just the 50 rows on screen.
PRINT_CAP = 5000


def list_page(request, items, page_size: int):
    """The page of a list to render: the usual page, or with `?print=1` all rows (at most
    PRINT_CAP; `page.capped` then says so and the print head points to the export)."""
    from django.core.paginator import Paginator

    if request.GET.get("print") == "1":
        page = Paginator(items, PRINT_CAP).get_page(1)
        page.printing, page.capped, page.cap = True, page.paginator.num_pages > 1, PRINT_CAP
        return page
    page = Paginator(items, page_size).get_page(request.GET.get("page"))
    page.printing, page.capped, page.cap = False, False, PRINT_CAP
    return page
