"""The working-day calendar: official holidays, 调休, a year nobody knows, a supplied year."""

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.core import months, workdays

D = dt.date


def test_national_day_and_make_up_days():
    # 2026: National Day holiday 1–7 Oct (with Mid-Autumn), Sat 10 Oct is a make-up working day.
    assert workdays.add(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.add(D(2026, 10, 8), 2) == D(2026, 10, 10)
    assert workdays.between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert workdays.add(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_a_year_the_calendar_does_not_know_is_refused_in_chinese():
    with pytest.raises(workdays.CalendarError, match="尚无 2030 年的法定节假日安排"):
        workdays.add(D(2030, 12, 30), 10)


def test_a_supplied_year(tmp_path, monkeypatch):
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "2031:\n  source: 测试用放假安排\n  holidays: [2031-01-01, 2031-01-02]\n  workdays: [2031-01-04]\n", encoding="utf-8"
    )
    monkeypatch.setenv("DOUDI_HOLIDAYS_FILE", str(path))
    # Tue 31 Dec 2030 is unknown to the library too, so start inside the supplied year.
    assert workdays.add(D(2031, 1, 1), 1) == D(2031, 1, 3)  # Fri 3 Jan
    assert workdays.add(D(2031, 1, 3), 1) == D(2031, 1, 4)  # Sat 4 Jan is a make-up working day
    assert workdays.last_known_year() == 2031
    path.write_text("2031:\n  holidays: [2031-01-01]\n", encoding="utf-8")
    with pytest.raises(workdays.CalendarError, match="文号"):
        workdays.add(D(2031, 1, 1), 1)


def test_command_prints_the_deadline_and_refuses_bad_input():
    run = [sys.executable, "-m", "doudi.cli", "workdays"]
    ok = subprocess.run([*run, "2026-09-30", "1"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.strip() == "2026-10-08"
    bad = subprocess.run([*run, "2026/09/30", "1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    late = subprocess.run([*run, "2040-01-01", "3"], capture_output=True, text=True)
    assert late.returncode == 2 and "2040" in late.stderr and "Traceback" not in late.stderr


@settings(max_examples=60, deadline=None)
@given(st.dates(D(2005, 1, 1), D(2026, 6, 30)), st.integers(0, 40))
def test_add_and_between_agree(day, count):
    end = workdays.add(day, count)
    assert workdays.between(day, end) == count
    assert count == 0 or workdays.is_workday(end)
    assert (end - day).days >= count


@settings(max_examples=60, deadline=None)
@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(-30, 30))
def test_months_round_trip(year, month, step):
    text = f"{year:04d}-{month:02d}"
    assert months.parse(f" {text} ") == text
    assert months.add(months.add(text, step), -step) == text
    assert months.index(months.first_day(months.add(text, step))) - months.index(months.first_day(text)) == step
    assert months.of(months.last_day(text)) == text


@pytest.mark.parametrize("bad", ["2025-13", "2025-1", "25-01", "", None, "2025/01"])
def test_bad_months_are_refused(bad):
    with pytest.raises(months.BadMonth, match="YYYY-MM"):
        months.parse(bad)
