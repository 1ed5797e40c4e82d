"""Writes for the core context: the region tree and users."""
from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from doudi.core import regions
from doudi.core.models import Region, User
from doudi.registry.importing.errors import ImportRejected, RowError

LEVEL_LABELS = {label: code for code, label in regions.LEVEL_NAMES.items()}
REGION_HEADER = ["区划代码", "名称", "级别", "上级区划代码"]


def regions_load(*, path: str | Path) -> int:
    """Loads (or renames) regions from a CSV with columns 区划代码,名称,级别,上级区划代码.
    All or nothing; returns the number of rows read."""
    path = Path(path)
    errors: list[RowError] = []
    rows: list[tuple[str, str, str, str | None]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if header[:4] != REGION_HEADER:
            raise ImportRejected([RowError(path.name, "", 1, "", ",".join(header), f"表头应为：{','.join(REGION_HEADER)}")])
        for number, cells in enumerate(reader, start=2):
            try:
                code = regions.normalize_code(cells[0])
                level = regions.level_of(code)
                parent = regions.parent_code(code)
                name = cells[1].strip()
                if not name:
                    raise regions.InvalidRegionCode("名称不能为空")
            except (regions.InvalidRegionCode, IndexError) as exc:
                errors.append(RowError(path.name, "", number, "区划代码", ",".join(cells)[:60], str(exc) or "列数不足"))
                continue
            rows.append((code, name, level, parent))
    known = {code for code, *_ in rows} | set(Region.objects.values_list("code", flat=True))
    for number, (code, _name, _level, parent) in enumerate(rows, start=2):
        # A county's own file may leave out its province and city: they are created.
        if parent and parent not in known and len(parent) > 4:
            errors.append(RowError(path.name, "", number, "上级区划代码", parent, "上级区划不存在"))
    if errors:
        raise ImportRejected(errors[:2000], len(errors))
    with transaction.atomic():
        existing = set(Region.objects.values_list("code", flat=True))
        for code, name, level, parent in sorted(rows, key=lambda r: len(r[0])):
            for ancestor in _missing_ancestors(parent, existing):
                Region.objects.create(code=ancestor, name=_official_name(ancestor), level=regions.level_of(ancestor),
                                      parent_id=regions.parent_code(ancestor))
                existing.add(ancestor)
            Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
            existing.add(code)
    return len(rows)


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
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"role": role, "region_id": region_code, "full_name": full_name, "is_active": True},
    )
    user.set_password(password)
    user.save()
    return user
