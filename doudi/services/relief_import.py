"""A township's list of affected households (受灾户名单, .xlsx or .csv in UTF-8 or GB18030) imported
into one disaster event, all or nothing: read through doudi.core.tabular (the zip-bomb check,
the encoding detection, the error report naming file, row and column), every row checked like
the form (relief.clean: ID number, village in the event's area, the user's region, bank account,
losses), the same household twice in the file or already registered refused, named."""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction

from doudi.core.roles import HANDLE_RELIEF
from doudi.core.tabular.errors import ErrorList, ImportRejected, RowError
from doudi.core.tabular.headers import header_finder
from doudi.core.tabular.reader import _cell_text, csv_rows, open_workbook
from doudi.services.common import ServiceError, audit
from doudi.services.models import Affected, Disaster
from doudi.services.relief import _already, allowed, clean

# Header → form field. A column may carry its note in brackets: 农作物损失（元）.
COLUMNS = {
    "户主姓名": "name",
    "身份证号": "id_number",
    "村（社区）代码": "village",
    "台账户编号": "register",
    "联系电话": "phone",
    "开户银行": "bank_name",
    "银行账号": "bank_account",
    "受灾人数": "persons",
    "房屋损失": "house",
    "农作物损失（元）": "crop_loss",
    "牲畜损失（元）": "livestock_loss",
    "其他损失（元）": "other_loss",
    "其他损失说明": "other_note",
    "安置情况": "placement",
    "安置方式": "placement_note",
    "生活需求": "needs",
    "核定救助金额（元）": "relief_amount",
}
REQUIRED = ("户主姓名", "身份证号")
HOUSE = {label: code for code, label in Affected.House.choices} | {
    "倒塌": "collapsed",
    "严重损坏": "severe",
    "一般损坏": "general",
    "无": "none",
    "": "none",
}
PLACEMENT = {label: code for code, label in Affected.Placement.choices} | {"返家": "home", "在外": "away", "": "home"}
MAX_ROWS = 5000


def _rows(path: Path):
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        sheet = open_workbook(path).get_sheet_by_index(0)
        return ([_cell_text(c) for c in row] for row in sheet.iter_rows())
    raise ImportRejected(
        [RowError(path.name, "", None, "", "", "受灾户名单应为 .xlsx 文件或 .csv 文件（UTF-8 或 GBK/GB18030 编码）")]
    )


def _header(file: str, header: list[str]) -> dict[int, str]:
    find = header_finder(COLUMNS)
    at = {i: COLUMNS[found] for i, h in enumerate(header) if (found := find(h))}
    missing = [h for h in REQUIRED if COLUMNS[h] not in at.values()]
    if missing:
        raise ImportRejected([RowError(file, "", 1, missing[0], "", f"缺少「{missing[0]}」列；表头应包括：{'、'.join(COLUMNS)}")])
    return at


def affected_import(*, user, disaster: Disaster, path: Path, name: str | None = None) -> int:
    """Imports the list; returns how many households were added. ImportRejected (nothing written)
    lists every wrong row."""
    allowed(user, HANDLE_RELIEF, "导入受灾户名单")  # each row's village is checked against the user's region
    file = name or path.name
    rows = iter(_rows(path))
    header = next(rows, None)
    if header is None:
        raise ImportRejected([RowError(file, "", None, "", "", "文件是空的")])
    at = _header(file, header)
    errors, ready, seen = ErrorList(), [], {}
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if number > MAX_ROWS + 1:
            errors.add(RowError(file, "", number, "", "", f"一次最多导入 {MAX_ROWS} 户，请分批导入"))
            break
        data = {field: cells[i].strip() if i < len(cells) else "" for i, field in at.items()}
        data["house"] = HOUSE.get(data.get("house", ""), data.get("house", ""))
        data["placement"] = PLACEMENT.get(data.get("placement", ""), data.get("placement", ""))
        try:
            fields = clean(user, disaster, data)
            if (refusal := _already(disaster, fields)) is not None:
                raise ServiceError(refusal)
            if fields["id_number"] in seen:
                raise ServiceError(f"与第{seen[fields['id_number']]}行是同一户（身份证号相同）")
        except ServiceError as exc:
            errors.add(RowError(file, "", number, "", data.get("name") or data.get("register", ""), str(exc)))
            continue
        seen[fields["id_number"]] = number
        ready.append(fields)
    if not ready and not errors:
        errors.add(RowError(file, "", None, "", "", "文件中没有受灾户数据行"))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            Affected.objects.bulk_create([Affected(disaster=disaster, created_by=user, **f) for f in ready])
    except IntegrityError:
        raise ImportRejected([RowError(file, "", None, "", "", "名单中有受灾户刚刚被他人登记，请刷新后重新导入")]) from None
    audit(user, "affected", disaster.pk, {"灾害": disaster.name, "文件": file, "户数": len(ready)}, "导入受灾户名单", "import")
    return len(ready)
