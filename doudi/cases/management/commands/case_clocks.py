"""`doudi case_clocks`: computes the deadlines of open cases that could not be computed when
they were received (a year the working-day calendar did not know), once the calendar knows
it (chinesecalendar upgraded, or DOUDI_HOLIDAYS_FILE supplied: docs/deploy.md)."""

from doudi.cases.services import case_clocks_refresh
from doudi.core.management.base import DoudiCommand


class Command(DoudiCommand):
    help = "补算期限：放假安排补齐后，重新计算此前无法计算期限的在办案件"

    def handle(self, *args, **options):
        done, left = case_clocks_refresh()
        self.stdout.write(f"已补算 {done} 件案件的期限" + (f"；仍有 {left} 件无法计算（放假安排仍缺）" if left else ""))
