"""`doudi compare --as-of YYYY-MM-DD [--engine duckdb|spark] --out FILE` (docs/interfaces.md §1, §6)."""

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand, Progress, counties_under
from doudi.monitoring.output import OutputError, output_format, write_warnings
from doudi.monitoring.rules import RULES
from doudi.monitoring.services import ComparisonError, comparison_run
from doudi.rules.policy import county_notices


class Command(DoudiCommand):
    help = "运行全部部门数据比对规则，保存预警，并把预警写入 FILE（.csv 或 .jsonl）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="比对日期 YYYY-MM-DD")
        parser.add_argument("--engine", default="duckdb", help="计算引擎：duckdb（默认）或 spark")
        parser.add_argument("--out", required=True, help="输出文件：.csv（UTF-8 带 BOM）或 .jsonl")
        parser.add_argument("--region", default="", help="只比对该区划（默认全部）")

    def handle(self, *args, as_of, engine, out, region, **options):
        progress = Progress(self.stderr._out)
        for line in county_notices(counties_under(region)):
            self.stderr.write(line)
        try:
            output_format(out)
            run, findings = comparison_run(
                as_of=as_of,
                engine=engine,
                region_code=region.strip(),
                progress=lambda done, total, message: progress(message, done, total or 0),
            )
            written = write_warnings(out, findings)
        except (ComparisonError, OutputError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"比对完成（截至 {run.as_of}，{engine}）：写出预警 {written} 条 → {out}")
        for code, count in run.counts.items():
            if count["found"]:
                self.stdout.write(
                    f"  {RULES[code].name}：发现 {count['found']}，新增 {count['new']}，"
                    f"仍待处理 {count['open']}，已处理未变化 {count['suppressed']}"
                )
