"""Excel exports of any list: a title row, a header row, the rows; streamed to a temp
file in constant memory so a county-wide list does not fill the server's memory."""
from __future__ import annotations

import os
import tempfile
from typing import Iterable, Sequence
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse


def write_xlsx(path, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    heading = book.add_format({"bold": True, "font_size": 14})
    sheet.write(0, 0, title, heading)
    for col, header in enumerate(headers):
        sheet.write(1, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    for index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            sheet.write(index, col, "" if value is None else value if isinstance(value, (int, float)) else str(value))
    sheet.freeze_panes(2, 0)
    book.close()


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as target:
        path = target.name
    write_xlsx(path, title, headers, rows)
    handle = open(path, "rb")
    os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
