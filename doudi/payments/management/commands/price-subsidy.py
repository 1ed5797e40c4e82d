"""`doudi price-subsidy --month YYYY-MM --cpi X --food Y [--region CODE]` (docs/interfaces.md §1):
records the month's indices (year-on-year rises in percent), decides the trigger per
county, builds the subsidy runs and prints per-person amounts and totals by group as JSON.
Extensions: `--released YYYY-MM-DD` (index release date; default the 10th of the next
month) and `--summary` (totals only, without the per-person list)."""

import datetime as dt
import json

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand, counties_under
from doudi.payments import price
from doudi.payments.models import PayrollRun
from doudi.payments.months import BadMonth
from doudi.payments.runs import PayrollError
from doudi.rules.errors import RulesError
from doudi.rules.policy import county_notices


class Command(DoudiCommand):
    help = "价格临时补贴：录入当月价格指数，判断是否启动，生成发放名单"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="指数所属月份 YYYY-MM")
        parser.add_argument("--cpi", required=True, help="CPI 同比涨幅（%%），如 2.7")
        parser.add_argument("--food", required=True, help="食品 CPI 同比涨幅（%%），如 6.3")
        parser.add_argument("--region", help="指数适用区划（省、市或县代码）；默认为库中唯一的省")
        parser.add_argument("--released", help="指数发布日期 YYYY-MM-DD，默认次月10日")
        parser.add_argument("--summary", action="store_true", help="只输出汇总，不列出每人金额")

    def handle(self, *args, month, cpi, food, region=None, released=None, summary=False, **options):
        try:
            released_on = dt.date.fromisoformat(released) if released else None
        except ValueError:
            raise CommandError(f"--released {released!r} 应为 YYYY-MM-DD 格式") from None
        for line in county_notices(counties_under(region)):
            self.stderr.write(line)
        try:
            result = price.price_subsidy_run(month=month, cpi=cpi, food=food, region=region, released=released_on)
        except (PayrollError, RulesError, BadMonth) as exc:
            raise CommandError(str(exc)) from None
        if not summary:
            for county in result["counties"]:
                run = PayrollRun.objects.filter(item=price.ITEM, period=result["month"], region_id=county["county"]).first()
                county["persons"] = list(price.persons(run)) if run and county["triggered"] else []
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
