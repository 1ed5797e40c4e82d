"""首页 is a to-do list per role (issue 13 item 2): only what the role may act on, counted
only inside the user's region; the counts by township keep a 合计 row and an as-of date."""

import re

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A
from doudi.payments.models import PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.payments.workflow import run_transition
from doudi.registry.models import Household, PendingBenefitChange
from doudi.workbench import todo

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _count(page: str, label: str) -> int | None:
    """The number on the to-do card labelled `label`, or None when there is no such card."""
    match = re.search(r'<div class="n">([\d,]+)</div><div class="l">' + re.escape(label) + "</div>", page)
    return int(match.group(1).replace(",", "")) if match else None


def test_clerk_sees_own_township_warnings_and_no_payroll_steps(client, county, users):
    page = _home(client, users["clerk_a"])
    assert _count(page, "已超过核查期限的预警") == 1  # township B's is not counted
    assert _count(page, "待复核的发放花名册") is None and _count(page, "待财政审批的发放花名册") is None
    assert "有 1 条数据比对预警已超过核查期限" in page
    assert "合计" in page and "数据截至" in page
    assert "中村镇" not in page  # the other township is neither listed nor counted


def test_township_counts_keep_a_total_row(client, county, users):
    page = _home(client, users["admin"])
    total = re.search(r'<tr class="total">.*?</tr>', page, re.S).group(0)
    assert "合计" in total and ">8<" in total  # H101–H105, H201, H202, H301


def test_payroll_runs_wait_for_the_right_person(client, county, users):
    payroll_build(period="2025-01", category="dibao", user=users["staff"])
    run = PayrollRun.objects.get()
    assert _count(_home(client, users["staff"]), "待复核的发放花名册") is None  # the builder may not check it
    assert _count(_home(client, users["staff2"]), "待复核的发放花名册") == 1
    assert _count(_home(client, users["finance"]), "待财政审批的发放花名册") is None  # not checked yet
    run_transition(run=run, action="check", user=users["staff2"])
    assert _count(_home(client, users["finance"]), "待财政审批的发放花名册") == 1
    assert _count(_home(client, users["staff2"]), "待财政审批的发放花名册") is None  # not finance's colleague
    for lesser in ("clerk_a", "supervisor", "helper_a1"):
        page = _home(client, users[lesser])
        assert "花名册" not in page.split('id="todo"')[1].split("</section>")[0], lesser


def test_read_only_roles_have_nothing_to_do(client, county, users):
    page = _home(client, users["supervisor"])
    assert 'id="todo-empty"' in page and "已超过核查期限的预警" not in page
    helper = _home(client, users["helper_a1"])
    assert "已超过核查期限的预警" not in helper  # a helper views warnings but does not handle them


def test_pending_benefits_wait_for_the_county_only(client, county, users):
    import datetime as dt

    household = Household.objects.get(code="H101")
    PendingBenefitChange.objects.create(
        household=household,
        category="dibao",
        since=dt.date(2025, 1, 1),
        monthly_amount=600,
        requested_by=users["clerk_a"],
        requested_at="2025-01-02T08:00:00+08:00",
    )
    assert _count(_home(client, users["staff"]), "待县级确认的保障") == 1
    assert _count(_home(client, users["clerk_a"]), "待县级确认的保障") is None


def test_uploader_home_is_their_work(client, county, users):
    page = _home(client, users["uploader"])
    assert "没有台账查看权限" not in page and "我的报送" in page and reverse("dataset_upload") in page
    assert 'id="site-search-q"' not in page  # no register, no search box
    assert "按乡镇" not in page


def test_a_broken_source_does_not_take_the_page_down(client, county, users, monkeypatch):
    def broken(user, today):
        raise RuntimeError("boom")

    monkeypatch.setitem(todo._SOURCES, "broken", (1, "台账", broken))
    assert _count(_home(client, users["clerk_a"]), "已超过核查期限的预警") == 1


def test_core_imports_no_app_above_it():
    """core's views and urls know nothing of the apps above (the home page moved here)."""
    from pathlib import Path

    core = Path(__file__).resolve().parents[2] / "core"
    for name in ("views.py", "urls.py"):
        text = (core / name).read_text(encoding="utf-8")
        assert not re.search(r"doudi\.(registry|monitoring|payments|assessment|cases|care|datasets|reports|workbench)", text), (
            name
        )
    assert COUNTY and TOWNSHIP_A
