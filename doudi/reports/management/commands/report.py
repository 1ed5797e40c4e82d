"""`doudi report KIND --period P --region CODE --out FILE.xlsx` (docs/interfaces.md §1): writes a statutory
table for an ended period. When the period was submitted, the file is the latest submitted
version (frozen numbers, with its 填报人); otherwise it is computed from the records as of
the period's end — either way the same period gives the same numbers. The command has no
user, so any region may be asked for (the operator has the database). Bad input: a Chinese
message, exit 2, nothing written."""

from pathlib import Path

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand
from doudi.reports import services
from doudi.reports.periods import PeriodError
from doudi.reports.winter import ReportError


class Command(DoudiCommand):
    help = (
        "统计报表：doudi report winter-weekly --period 2026-W49 --region 区划代码 --out 文件.xlsx；"
        "doudi report festival --period 2027-01-20 --region 区划代码 --out 文件.xlsx"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            help="报表类型：winter-weekly（附件2 温暖过冬情况统计表，按周）；"
            "festival（重庆 元旦春节期间困难群众兜底保障统计表，按统计日期）",
        )
        parser.add_argument(
            "--period", required=True, help="统计周期：winter-weekly 为 ISO 周，如 2026-W49；festival 为统计日期，如 2027-01-20"
        )
        parser.add_argument("--region", required=True, help="县或乡镇区划代码")
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件")

    def handle(self, *args, kind, period, region, out, **options):
        target = Path(out)
        if target.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件「{out}」应以 .xlsx 结尾", returncode=2)
        if not target.parent.is_dir():
            raise CommandError(f"输出目录「{target.parent}」不存在", returncode=2)
        try:
            when, unit = services.report_check(kind=kind, period=period, region_code=region)
            version = services.latest_version(kind, when.code, unit.code)
            data = version.data if version else services.compute(kind, unit, when)
            services.report_write(target, data, version)
        except (ReportError, PeriodError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        source = f"已报送第 {version.version} 版" if version else f"按截至 {data['last']} 的记录计算"
        self.stderr.write(f"{data['title']}：{data['region']['name']} {data['period']}（{source}）→ {target}")
