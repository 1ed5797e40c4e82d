"""`doudi import registry PATH…` (docs/interfaces.md §1, §4) and `doudi import regions FILE.csv`."""

import json as _json

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand, Progress
from doudi.core.services import regions_load
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.importing.reader import csv_encodings, encoding_note
from doudi.registry.services import registry_import

SUMMARY_LABELS = {
    "households_new": "新增家庭",
    "households_changed": "更新家庭",
    "persons_new": "新增成员",
    "persons_changed": "更新成员",
    "persons_moved": "成员迁移",
    "benefits_new": "新增保障",
    "benefits_changed": "更新保障",
    "unchanged": "未变化记录",
}


def refused_as_json(command, rejected: ImportRejected) -> CommandError:
    """Prints the refusal as JSON on stdout (for scripts) and returns the error that ends
    the command with a non-zero exit."""
    command.stdout.write(_json.dumps(rejected.as_dict(), ensure_ascii=False))
    return CommandError(f"导入被拒绝：共{rejected.total}处错误，未写入任何数据。")


class Command(DoudiCommand):
    help = "导入数据：registry（困难群众台账：.xlsx、含三个 CSV 的文件夹或三个 CSV）、regions（行政区划 CSV）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="registry、regions 或 dataset（dataset KIND FILE --as-of YYYY-MM-DD）")
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--dry-run", action="store_true", help="只校验并预览，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（导入被拒绝时输出错误清单）")
        parser.add_argument("--as-of", dest="as_of", help="部门数据的截至日期 YYYY-MM-DD（dataset 必填）")

    def handle(self, *args, kind, paths, dry_run, json: bool, as_of=None, **options):
        if kind == "dataset":
            from doudi.datasets.commands import import_dataset

            return import_dataset(self, paths, as_of=as_of, dry_run=dry_run, as_json=json)
        if kind not in ("registry", "regions"):
            raise CommandError(f"未知的导入类型「{kind}」，应为 registry、regions 或 dataset")
        try:
            if kind == "regions":
                return self._regions(paths, json)
            summary = registry_import(paths=paths, dry_run=dry_run, progress=Progress(self.stderr._out))
            encodings = csv_encodings(paths)
        except ImportRejected as rejected:
            if json:
                raise refused_as_json(self, rejected) from None
            raise
        if json:
            self.stdout.write(_json.dumps({**summary, "encodings": encodings}, ensure_ascii=False))
            return
        head = "预览（未写入）" if dry_run else "导入完成"
        parts = [f"{label} {summary[key]}" for key, label in SUMMARY_LABELS.items()]
        self.stdout.write(f"{head}：" + "，".join(parts))
        if encodings:
            self.stdout.write(encoding_note(encodings))

    def _regions(self, paths, json: bool) -> None:
        total = sum(regions_load(path=p) for p in paths)
        encodings = csv_encodings(paths)
        if json:
            self.stdout.write(_json.dumps({"regions": total, "encodings": encodings}, ensure_ascii=False))
            return
        self.stdout.write(f"已导入行政区划 {total} 条")
        self.stdout.write(encoding_note(encodings))
