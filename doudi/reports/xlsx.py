"""The 附件2 table as an .xlsx laid out like the paper form (临民发【2024】22号): title, the
unit with its seal line and the date, two header rows with the merged cells of 附件2,
one row per unit and 合计, 填报人 and 联系电话, the three notes; A4 landscape, one page.

openpyxl rather than core.exports.write_xlsx: that one streams lists of rows and cannot
merge cells or set up the page. The same rule holds here: every cell is written by type —
counts and 万元 are numbers (Excel's SUM works), names and notes are text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from doudi.reports import winter

UNIT_HEADER = "单位"
# 附件2 as printed: (first row text, second row text or None when the cell spans both rows).
HEADERS = [
    ("低保（人）", None),
    ("特困对象（人）", None),
    ("特殊困难老年人（人）", None),
    ("困境儿童（人）", None),
    ("其他困难群众（人）", None),
    ("救助人次（人次）", None),
    ("支出金额（万元）", None),
    ("其他救助方式", "救助方式"),
    ("其他救助方式", "救助人次"),
    ("走访排查发现急难愁盼问题数", None),
    ("走访排查解决急难愁盼问题数", None),
]
NOTES = [
    "备注：1、此表每周三报回。",
    "2、其他救助方式包括：采取发放取暖炉具、取暖煤和棉衣、棉被、电热毯等御寒取暖物资等方式。",
    "3、发现和解决问题情况（可附件简要说明）。",
]
WIDTHS = [14, 9, 9, 11, 9, 11, 9, 11, 16, 9, 13, 13]
HEAD_ROW = 4  # the two header rows are 4 and 5; data starts at 6
LAST_COL = len(HEADERS) + 1
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def values(row: dict) -> list:
    """One table row as cell values in 附件2's column order (numbers as numbers)."""
    return [
        row["name"],
        *(row[key] for key in winter.PERSON_FIGURES),
        row["assist_times"],
        winter.wan(row),
        row["inkind_kinds"],
        row["inkind_times"],
        row["found"],
        row["solved"],
    ]


def write(path, data: dict, *, filler: str = "", phone: str = "", day: dt.date | None = None, note: str = "") -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "附件2"
    last = get_column_letter(LAST_COL)
    _line(sheet, 1, f"A1:{last}1", data["title"], Font(name="宋体", size=18, bold=True), CENTER)
    sheet.row_dimensions[1].height = 32
    day = day or dt.date.today()
    _line(sheet, 2, "A2:G2", f"单位：{data['region']['name']}（盖章）", Font(name="宋体", size=11), Alignment(horizontal="left"))
    _line(
        sheet,
        2,
        f"H2:{last}2",
        f"日期：{day.year}年{day.month}月{day.day}日",
        Font(name="宋体", size=11),
        Alignment(horizontal="right"),
    )
    first, until = dt.date.fromisoformat(data["first"]), dt.date.fromisoformat(data["last"])
    period = (
        f"统计周期：{first.year}年{first.month}月{first.day}日至{until.year}年{until.month}月{until.day}日"
        f"（{data['period']}），人数截至{until.month}月{until.day}日{note}"
    )
    _line(sheet, 3, f"A3:{last}3", period, Font(name="宋体", size=10), Alignment(horizontal="left"))
    _headers(sheet)
    row_number = HEAD_ROW + 2
    for row in [*data["rows"], data["total"]]:
        for col, value in enumerate(values(row), start=1):
            cell = sheet.cell(row=row_number, column=col)
            cell.value = float(value) if isinstance(value, Decimal) else value
            cell.border, cell.alignment = BOX, CENTER
            cell.font = Font(name="宋体", size=11, bold=row is data["total"])
            if col == 8:
                cell.number_format = "0.0000"
        row_number += 1
    _footer(sheet, row_number + 1, filler, phone)
    _page(sheet, row_number + 1 + 1 + len(NOTES))
    book.save(path)


def _line(sheet, row: int, span: str, text: str, font, align) -> None:
    sheet.merge_cells(span)
    cell = sheet[span.split(":")[0]]
    cell.value, cell.font, cell.alignment = text, font, align


def _headers(sheet) -> None:
    top, bottom = HEAD_ROW, HEAD_ROW + 1
    font = Font(name="宋体", size=10, bold=True)
    columns = [(UNIT_HEADER, None), *HEADERS]
    for col, (first, second) in enumerate(columns, start=1):
        letter = get_column_letter(col)
        for row in (top, bottom):
            sheet.cell(row=row, column=col).border = BOX
        if second is None:
            sheet.merge_cells(f"{letter}{top}:{letter}{bottom}")
            sheet.cell(row=top, column=col).value = first
        else:
            sheet.cell(row=bottom, column=col).value = second
        for row in (top, bottom):
            sheet.cell(row=row, column=col).font, sheet.cell(row=row, column=col).alignment = font, CENTER
        sheet.column_dimensions[letter].width = WIDTHS[col - 1]
    inkind = [col for col, (first, second) in enumerate(columns, start=1) if second is not None]
    span = f"{get_column_letter(inkind[0])}{top}:{get_column_letter(inkind[-1])}{top}"
    sheet.merge_cells(span)
    sheet[span.split(":")[0]].value = "其他救助方式"
    sheet.row_dimensions[top].height = sheet.row_dimensions[bottom].height = 30


def _footer(sheet, row: int, filler: str, phone: str) -> None:
    last = get_column_letter(LAST_COL)
    font = Font(name="宋体", size=11)
    _line(sheet, row, f"A{row}:F{row}", f"填报人：{filler}", font, Alignment(horizontal="left"))
    _line(sheet, row, f"G{row}:{last}{row}", f"联系电话：{phone}", font, Alignment(horizontal="left"))
    for offset, text in enumerate(NOTES, start=1):
        _line(
            sheet,
            row + offset,
            f"A{row + offset}:{last}{row + offset}",
            text,
            Font(name="宋体", size=10),
            Alignment(horizontal="left", indent=0 if offset == 1 else 3),
        )


def _page(sheet, last_row: int) -> None:
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_area = f"A1:{get_column_letter(LAST_COL)}{last_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


# -- 重庆 元旦春节期间 统计表 (doudi/reports/festival.py) -------------------------------------------
def write_festival(path, data: dict, *, filler: str = "", phone: str = "", day: dt.date | None = None, note: str = "") -> None:
    """The festival table like a paper form: title, unit (盖章) and date, the period, two header
    rows (each group merged over its columns), one row per unit and 合计, 填报人 and 联系电话, notes."""
    from doudi.reports import festival

    book = Workbook()
    sheet = book.active
    sheet.title = "元旦春节统计表"
    width = len(festival.COLUMNS) + 1
    last = get_column_letter(width)
    _line(sheet, 1, f"A1:{last}1", data["title"], Font(name="宋体", size=16, bold=True), CENTER)
    sheet.row_dimensions[1].height = 30
    day = day or dt.date.today()
    half = get_column_letter(width // 2)
    _line(
        sheet,
        2,
        f"A2:{half}2",
        f"填报单位：{data['region']['name']}（盖章）",
        Font(name="宋体", size=11),
        Alignment(horizontal="left"),
    )
    _line(
        sheet,
        2,
        f"{get_column_letter(width // 2 + 1)}2:{last}2",
        f"填报日期：{day.year}年{day.month}月{day.day}日",
        Font(name="宋体", size=11),
        Alignment(horizontal="right"),
    )
    first, until = dt.date.fromisoformat(data["first"]), dt.date.fromisoformat(data["last"])
    _line(
        sheet,
        3,
        f"A3:{last}3",
        f"统计时段：{first.year}年{first.month}月{first.day}日至{until.year}年{until.month}月"
        f"{until.day}日（统计日期 {data['period']}），人数截至{until.month}月{until.day}日{note}",
        Font(name="宋体", size=10),
        Alignment(horizontal="left"),
    )
    top, bottom = HEAD_ROW, HEAD_ROW + 1
    font = Font(name="宋体", size=10, bold=True)
    sheet.merge_cells(f"A{top}:A{bottom}")
    sheet.cell(row=top, column=1).value = UNIT_HEADER
    sheet.column_dimensions["A"].width = 12
    groups: dict[str, list[int]] = {}
    for col, (_key, group, head, _kind) in enumerate(festival.COLUMNS, start=2):
        groups.setdefault(group, []).append(col)
        sheet.cell(row=bottom, column=col).value = head
        sheet.column_dimensions[get_column_letter(col)].width = 9.5
    for group, cols in groups.items():
        sheet.cell(row=top, column=cols[0]).value = group
        if len(cols) > 1:
            sheet.merge_cells(f"{get_column_letter(cols[0])}{top}:{get_column_letter(cols[-1])}{top}")
    for row in (top, bottom):
        for col in range(1, width + 1):
            cell = sheet.cell(row=row, column=col)
            cell.border, cell.font, cell.alignment = BOX, font, CENTER
    sheet.row_dimensions[top].height = 24
    sheet.row_dimensions[bottom].height = 48
    row_number = bottom + 1
    for row in [*data["rows"], data["total"]]:
        for col, value in enumerate([row["name"], *festival.cell_values(row)], start=1):
            cell = sheet.cell(row=row_number, column=col)
            cell.value = float(value) if isinstance(value, Decimal) else value
            cell.border, cell.alignment = BOX, CENTER
            cell.font = Font(name="宋体", size=11, bold=row is data["total"])
            if isinstance(value, Decimal):
                cell.number_format = "0.0000"
        row_number += 1
    foot = row_number + 1
    font = Font(name="宋体", size=11)
    _line(sheet, foot, f"A{foot}:{half}{foot}", f"填报人：{filler}", font, Alignment(horizontal="left"))
    _line(
        sheet,
        foot,
        f"{get_column_letter(width // 2 + 1)}{foot}:{last}{foot}",
        f"联系电话：{phone}",
        font,
        Alignment(horizontal="left"),
    )
    for offset, text in enumerate(festival.NOTES, start=1):
        _line(
            sheet,
            foot + offset,
            f"A{foot + offset}:{last}{foot + offset}",
            text,
            Font(name="宋体", size=10),
            Alignment(horizontal="left", indent=0 if offset == 1 else 3),
        )
    last_row = foot + len(festival.NOTES)
    _page(sheet, last_row)
    sheet.print_area = f"A1:{last}{last_row}"
    book.save(path)
