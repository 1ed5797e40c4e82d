"""`doudi case_clocks`: a case received before next year's holidays were known gets its
deadlines once the arrangement is supplied (DOUDI_HOLIDAYS_FILE), and only then."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from doudi.cases import services
from doudi.cases.models import Case
from doudi.cases.tests.conftest import application

pytestmark = pytest.mark.django_db


def test_deadlines_computed_once_the_year_is_known(register, users, today, tmp_path, monkeypatch):
    today(dt.date(2026, 12, 2))
    case = services.case_receive(user=users["clerk_a"], data=application(register["sun"]))
    assert case.due is None and case.clock_note.startswith("无法计算期限")
    out = io.StringIO()
    call_command("case_clocks", stdout=out)
    assert "仍有 1 件无法计算" in out.getvalue() and Case.objects.get(pk=case.pk).due is None
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text(
        "2027:\n  source: 国办发明电〔2026〕（测试）\n  holidays: [2027-01-01]\n  workdays: []\n", encoding="utf-8"
    )
    monkeypatch.setenv("DOUDI_HOLIDAYS_FILE", str(holidays))
    call_command("case_clocks", stdout=out)
    case = Case.objects.get(pk=case.pk)
    # 30 working days after Wed 2 Dec 2026: 21 in December, 1 Jan a holiday, 9 more → Thu 14 Jan 2027.
    assert case.due == dt.date(2027, 1, 14) and case.clock_note == ""
    assert "已补算 1 件" in out.getvalue()
