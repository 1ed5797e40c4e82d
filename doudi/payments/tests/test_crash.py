"""A build killed halfway (the process dies inside a run, lines written, not committed)
and run again: every line exactly once, none lost (docs/design.md §1.4)."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
DOUDI = [sys.executable, "-m", "doudi.cli"]
REGIONS = (
    "区划代码,名称,级别,上级区划代码\n140521,沁水县,县,1405\n140521100,龙港镇,乡镇,140521\n"
    "140521100201,东关村,村,140521100\n140521100202,西关村,村,140521100\n140521101,中村镇,乡镇,140521\n"
    "140521101201,中村村,村,140521101\n"
)


def _database(tmp_path, small_registry):
    """The test database itself on PostgreSQL; a migrated SQLite file elsewhere (the
    in-memory test database is not visible to another process)."""
    if connection.vendor == "postgresql":
        from doudi.registry.services import registry_import

        registry_import(paths=[small_registry["folder"]])
        s = connection.settings_dict
        return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    for args in (
        ["migrate", "-v0"],
        ["import", "regions", str(tmp_path / "regions.csv")],
        ["import", "registry", str(small_registry["folder"])],
    ):
        assert _doudi(url, *args).returncode == 0
    return url


def _doudi(url, *args, crash_at=None):
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", **({"DOUDI_PAYROLL_CRASH_AT": str(crash_at)} if crash_at else {})}
    return subprocess.run([*DOUDI, *args], env=env, capture_output=True, text=True, cwd=os.getcwd())


def _lines(url):
    sql = "SELECT item, holder_key, month, amount, status FROM payments_paymentline ORDER BY item, holder_key, month"
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as db:
            return [(i, h, m, f"{float(a):.2f}", s) for i, h, m, a, s in db.execute(sql)]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(i, h, m, f"{a:.2f}", s) for i, h, m, a, s in cursor.fetchall()]


def test_killed_build_reruns_to_exactly_the_right_lines(tmp_path, users, small_registry):
    url = _database(tmp_path, small_registry)
    wang = small_registry["ids"]["王五"]
    crashed = _doudi(url, "payroll", "build", "--period", "2025-01", crash_at=2)
    assert crashed.returncode == 17
    assert _lines(url) == [("dibao", "H001", "2025-01", "900.00", "pending")]  # the first run committed, the second not
    rerun = _doudi(url, "payroll", "build", "--period", "2025-01")
    assert rerun.returncode == 0, rerun.stderr
    expected = [("dibao", "H001", "2025-01", "900.00", "pending")] + [
        ("tekun", wang, f"2025-0{m}", "1280.00", "pending") for m in (1, 2, 3)
    ]
    assert _lines(url) == expected
    totals = {r["category"]: r for r in json.loads(rerun.stdout)}
    assert (totals["dibao"]["people"], totals["dibao"]["households"], totals["dibao"]["amount"]) == (2, 1, "900.00")
    assert (totals["tekun"]["people"], totals["tekun"]["amount"]) == (1, "3840.00")
    # Killed again, this time while rebuilding the first (draft) run: its old lines survive.
    assert _doudi(url, "payroll", "build", "--period", "2025-01", crash_at=1).returncode == 17
    assert _lines(url) == expected
    again = _doudi(url, "payroll", "build", "--period", "2025-01")
    assert json.loads(again.stdout) == json.loads(rerun.stdout) and _lines(url) == expected


def test_cli_bad_period_is_a_chinese_message(tmp_path, users, small_registry):
    url = _database(tmp_path, small_registry)
    bad = _doudi(url, "payroll", "build", "--period", "2025/01")
    assert bad.returncode == 1 and "应为 YYYY-MM" in bad.stderr and "Traceback" not in bad.stderr
