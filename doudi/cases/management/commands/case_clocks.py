"""`doudi case_clocks`: computes the deadlines of open cases that could not be computed when
they were received (a year the working-day calendar did not know), once the calendar knows
it (chinesecalendar upgraded, or DOUDI_HOLIDAYS_FILE supplied: docs/deploy.md)."""

from doudi.cases import clock
from doudi.cases.models import OPEN_STATES, Case
from doudi.core.management.base import DoudiCommand


class Command(DoudiCommand):
    help = "补算期限：放假安排补齐后，重新计算此前无法计算期限的在办案件"

    def handle(self, *args, **options):
        done = left = 0
        for case in Case.objects.filter(state__in=OPEN_STATES, due__isnull=True).order_by("id").iterator():
            due = clock.deadlines(case.region_id, case.received_on, case.special, case.paused_days)
            if due.due is None:
                left += 1
                continue
            # Only the computed dates change; the case's step and version stay as they are.
            Case.objects.filter(pk=case.pk, due__isnull=True).update(survey_due=due.survey_due, due=due.due, clock_note="")
            done += 1
        self.stdout.write(f"已补算 {done} 件案件的期限" + (f"；仍有 {left} 件无法计算（放假安排仍缺）" if left else ""))
