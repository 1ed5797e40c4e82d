"""`doudi import registry PATH…` (SPEC §1, §4) and `doudi import regions FILE.csv`."""


from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand, Progress
from doudi.core.services import regions_load
from doudi.registry.services import registry_import

SUMMARY_LABELS = {
    "households_new": "新增家庭", "households_changed": "更新家庭", "persons_new": "新增成员",
    "persons_changed": "更新成员", "persons_moved": "成员迁移", "benefits_new": "新增保障",
    "benefits_changed": "更新保障", "unchanged": "未变化记录",
}


class Command(DoudiCommand):
    help = "导入数据：registry（困难群众台账：.xlsx、含三个 CSV 的文件夹或三个 CSV）、regions（行政区划 CSV）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="registry、regions 或 dataset（dataset KIND FILE --as-of YYYY-MM-DD）")
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--dry-run", action="store_true", help="只校验并预览，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--as-of", dest="as_of", help="部门数据的截至日期 YYYY-MM-DD（dataset 必填）")

    def handle(self, *args, kind, paths, dry_run, json: bool, as_of=None, **options):
        if kind == "dataset":
            from doudi.datasets.commands import import_dataset

            return import_dataset(self, paths, as_of=as_of, dry_run=dry_run, as_json=json)
        if kind == "regions":
            total = sum(regions_load(path=p) for p in paths)
            self.stdout.write(f"已导入行政区划 {total} 条")
            return
        if kind != "registry":
            raise CommandError(f"未知的导入类型「{kind}」，应为 registry、regions 或 dataset")
        summary = registry_import(paths=paths, dry_run=dry_run, progress=Progress(self.stderr._out))
        if json:
            import json as _json

            self.stdout.write(_json.dumps(summary, ensure_ascii=False))
            return
        head = "预览（未写入）" if dry_run else "导入完成"
        parts = [f"{label} {summary[key]}" for key, label in SUMMARY_LABELS.items()]
        self.stdout.write(f"{head}：" + "，".join(parts))
