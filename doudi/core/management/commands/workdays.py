"""`doudi workdays DATE N` (docs/interfaces.md §1): the N-th working day strictly after DATE on the
official calendar (holidays and 调休 make-up days), printed as YYYY-MM-DD."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from doudi.core import workdays


class Command(BaseCommand):
    help = "工作日：doudi workdays YYYY-MM-DD N，输出该日期之后第 N 个工作日"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("date", help="起算日期 YYYY-MM-DD（不计当天）")
        parser.add_argument("count", help="工作日天数 N（0 或正整数）")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"].strip())
        except ValueError:
            raise CommandError(f"日期「{options['date']}」格式不对，应为 YYYY-MM-DD", returncode=2) from None
        try:
            count = int(options["count"])
        except ValueError:
            raise CommandError(f"天数「{options['count']}」应为整数", returncode=2) from None
        try:
            self.stdout.write(workdays.add(day, count).isoformat())
        except workdays.CalendarError as exc:
            raise CommandError(str(exc), returncode=2) from None
