"""`doudi import dataset KIND FILE --as-of YYYY-MM-DD [--dry-run] [--json]` (docs/interfaces.md §1, §5).

Called from the registry app's `import` command, which owns the `doudi import` verb."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from doudi.core.management.base import Progress
from doudi.core.tabular.errors import ImportRejected
from doudi.core.tabular.reader import csv_encodings, encoding_note
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import dataset_import

USAGE = "用法：doudi import dataset KIND FILE --as-of YYYY-MM-DD；KIND 为 " + "、".join(KINDS)
ISSUES_PRINTED = 20


def import_dataset(command, paths: list[str], *, as_of: str | None, dry_run: bool, as_json: bool) -> None:
    if len(paths) != 2:
        raise CommandError(USAGE)
    if not as_of:
        raise CommandError("缺少 --as-of：部门数据须注明截至日期，如 --as-of 2025-01-31")
    kind, path = paths
    try:
        result = dataset_import(
            kind=kind, path=path, as_of=as_of, dry_run=dry_run, channel="cli", progress=Progress(command.stderr._out)
        )
        encodings = csv_encodings([path]) if Path(path).suffix.lower() == ".csv" else {}
    except ImportRejected as rejected:
        if as_json:
            command.stdout.write(json.dumps(rejected.as_dict(), ensure_ascii=False))
            raise CommandError(f"导入被拒绝：共{rejected.total}处错误，未写入任何数据。") from None
        raise
    if as_json:
        command.stdout.write(json.dumps({**result, "encoding": next(iter(encodings.values()), "")}, ensure_ascii=False))
        return
    for issue in result.get("issues", [])[:ISSUES_PRINTED]:
        column = f"「{issue['column']}」列" if issue["column"] else ""
        value = f"（值：{issue['value']}）" if issue["value"] else ""
        action = "已保留" if issue["kept"] else "未接收"
        command.stderr.write(f"  第{issue['row']}行{column}：{issue['message']}{value} [{action}]")
    more = result.get("issue_total", 0) - ISSUES_PRINTED
    if more > 0:
        command.stderr.write(f"  ……另有{more}个问题行，见网页「部门数据报送」中的问题清单")
    command.stdout.write(_summary(result))
    if encodings:
        command.stdout.write(encoding_note(encodings))


def _summary(result: dict) -> str:
    if result["status"] == "unchanged":
        return result["message"]
    head = "预览（未写入）" if result["status"] == "preview" else f"已导入「{result['label']}」第{result['version']}版"
    return (
        f"{head}：截至 {result['as_of']}，接收 {result['rows']} 行，拒收 {result['rejected']} 行，"
        f"身份证号无法规范化 {result['invalid_ids']} 行（已保留，按姓名比对），15位号码 {result['legacy_ids']} 行，"
        f"重复 {result['duplicates']} 行"
    )
