"""Writes for the core context: the region tree and users."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from doudi.core import regions
from doudi.core.models import Region, User
from doudi.core.tabular.errors import ImportRejected, RowError

LEVEL_LABELS = {label: code for code, label in regions.LEVEL_NAMES.items()}
REGION_HEADER = ["区划代码", "名称", "级别", "上级区划代码"]


REGION_HEADER_ALIASES = {"上级代码": "上级区划代码"}


def _region_columns(path: Path, header: list[str]) -> list[int]:
    """Where 区划代码, 名称, 级别, 上级区划代码 are (any order; 上级代码 accepted)."""
    from doudi.core.tabular.headers import canonical_header

    cleaned = [canonical_header(h) for h in header]
    cleaned = [REGION_HEADER_ALIASES.get(h, h) for h in cleaned]
    if not set(REGION_HEADER) <= set(cleaned):
        raise ImportRejected(
            [
                RowError(
                    path.name,
                    "",
                    1,
                    "",
                    ",".join(header)[:60],
                    f"表头应为：{','.join(REGION_HEADER)}（「上级区划代码」也可写作「上级代码」）",
                )
            ]
        )
    return [cleaned.index(name) for name in REGION_HEADER]


def regions_load(*, path: str | Path) -> int:
    """Loads (or renames) regions from a CSV with columns 区划代码,名称,级别,上级区划代码
    (UTF-8 or GB18030, as doudi.core.tabular.reader reads every CSV).
    All or nothing; returns the number of rows read."""
    from doudi.core.tabular.reader import csv_rows

    path = Path(path)
    if not path.is_file():
        raise ImportRejected([RowError(str(path), "", None, "", "", "文件不存在")])
    errors: list[RowError] = []
    rows: list[tuple[str, str, str, str | None]] = []
    lines = csv_rows(path)
    at = _region_columns(path, next(lines, []))
    for number, line in enumerate(lines, start=2):
        if not "".join(line).strip():
            continue
        try:
            cells = [line[i] for i in at]
            code = regions.normalize_code(cells[0])
            level = regions.level_of(code)
            parent = regions.parent_code(code)
            name = cells[1].strip()
            if not name:
                raise regions.InvalidRegionCode("名称不能为空")
            _agrees(cells[2], cells[3], code, level, parent)
        except (regions.InvalidRegionCode, IndexError) as exc:
            errors.append(RowError(path.name, "", number, "区划代码", ",".join(line)[:60], str(exc) or "列数不足"))
            continue
        rows.append((code, name, level, parent))
    known = {code for code, *_ in rows} | set(Region.objects.values_list("code", flat=True))
    for number, (_code, _name, _level, parent) in enumerate(rows, start=2):
        # A county's own file may leave out its province and city: they are created.
        if parent and parent not in known and len(parent) > 4:
            errors.append(RowError(path.name, "", number, "上级区划代码", parent, "上级区划不存在"))
    if errors:
        raise ImportRejected(errors[:2000], len(errors))
    with transaction.atomic():
        existing = set(Region.objects.values_list("code", flat=True))
        _record_renames(rows)
        for code, name, level, parent in sorted(rows, key=lambda r: len(r[0])):
            for ancestor in _missing_ancestors(parent, existing):
                Region.objects.create(
                    code=ancestor,
                    name=_official_name(ancestor),
                    level=regions.level_of(ancestor),
                    parent_id=regions.parent_code(ancestor),
                )
                existing.add(ancestor)
            Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
            existing.add(code)
    return len(rows)


def _agrees(level_cell: str, parent_cell: str, code: str, level: str, parent: str | None) -> None:
    """The code decides level and parent (its digits say both); a 级别 or 上级区划代码 cell
    that says otherwise is a mistake in the file, refused rather than silently ignored."""
    given = level_cell.strip()
    if given and LEVEL_LABELS.get(given, given) != level:
        raise regions.InvalidRegionCode(f"级别「{given}」与区划代码 {code} 不符（应为{regions.LEVEL_NAMES[level]}）")
    given = parent_cell.strip()
    if given and parent and regions.normalize_code(given) != parent:
        raise regions.InvalidRegionCode(f"上级区划代码「{given}」与区划代码 {code} 不符（应为 {parent}）")


def _record_renames(rows) -> None:
    """A region whose name changes keeps its code; the old name is kept in the audit log."""
    from doudi.core.models import AuditEntry

    names = dict(Region.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "name"))
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action="update",
                entity="region",
                entity_key=code,
                changes={"name": [names[code], name]},
                reason="导入行政区划：名称变更",
            )
            for code, name, *_ in rows
            if code in names and names[code] != name
        ]
    )


def _missing_ancestors(code: str | None, existing: set[str]) -> list[str]:
    chain = []
    while code and code not in existing:
        chain.append(code)
        code = regions.parent_code(code)
    return list(reversed(chain))


def _official_name(code: str) -> str:
    """Province and city names from python-stdnum's table of division codes."""
    from stdnum import numdb

    for _part, props in numdb.get("cn/loc").info(code.ljust(6, "0"))[1:]:
        name = props.get("province") or props.get("county", "")
        if name:
            return name.split("]")[-1].split(",")[0]
    return code


def user_create(*, username: str, password: str, role: str, region_code: str | None, full_name: str = "") -> User:
    """A user with a known password (the demo logins, commands, tests): not made to change it."""
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "region_id": region_code,
            "full_name": full_name,
            "is_active": True,
            "must_change_password": False,
        },
    )
    user.set_password(password)
    user.save()
    return user
