"""`doudi payroll build --period YYYY-MM [--category C] [--region CODE] [--through YYYY-MM]`
(docs/interfaces.md §1): builds the period's runs, rebuilding changes nothing; prints control totals as
JSON. `--through` is our extension for paying several months early in one run. A county
without parameter files of its own is named on stderr with the region whose values are used."""

import json

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand, Progress
from doudi.core.models import Region
from doudi.payments.payroll import payroll_build
from doudi.payments.runs import PayrollError, target_regions
from doudi.rules.errors import RulesError
from doudi.rules.policy import county_notices


class Command(DoudiCommand):
    help = "发放花名册：doudi payroll build --period YYYY-MM [--category C] [--region CODE]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="生成本期花名册（重复生成不会产生重复明细）")
        build.add_argument("--period", required=True, help="期次 YYYY-MM")
        build.add_argument("--category", help="保障类别代码，如 dibao、tekun")
        build.add_argument("--region", help="县或乡镇区划代码；省、市代码按其下各县分别生成")
        build.add_argument("--through", help="提前发放：一次发放到该月（含），如春节前发放 1—2 月")

    def handle(self, *args, action, period, category=None, region=None, through=None, **options):
        try:
            self._notices(region)
            runs = payroll_build(
                period=period, category=category, region=region, through=through, progress=Progress(self.stderr._out)
            )
        except (PayrollError, RulesError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(runs, ensure_ascii=False, indent=2))

    def _notices(self, region: str | None) -> None:
        counties = dict.fromkeys(code[:6] for code in target_regions(region))
        names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
        for line in county_notices({county: names.get(county, "") for county in counties}):
            self.stderr.write(line)
