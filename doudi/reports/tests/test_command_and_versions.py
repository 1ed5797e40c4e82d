"""`doudi report` (docs/interfaces.md §1): a file for an ended week, refusals with a Chinese message, exit 2
and nothing written. Submitting freezes the numbers with who and when; a later change to the
records leaves the submitted version unchanged; a correction is the next version."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A
from doudi.core.models import AuditEntry
from doudi.registry.models import Benefit
from doudi.reports import periods, services
from doudi.reports.models import ReportVersion
from doudi.reports.tests.conftest import EXPECTED, WEEK
from doudi.reports.winter import ReportError

pytestmark = pytest.mark.django_db


def _run(tmp_path, period=WEEK, region=COUNTY, kind="winter-weekly", name="out.xlsx"):
    (tmp_path / "out").mkdir(exist_ok=True)
    out = tmp_path / "out" / name
    call_command("report", kind, "--period", period, "--region", region, "--out", str(out))
    return out


def test_command_writes_the_table(winter_county, tmp_path):
    sheet = load_workbook(_run(tmp_path)).active
    assert sheet["A6"].value == "龙港镇" and sheet["B6"].value == EXPECTED[TOWNSHIP_A]["dibao"]
    assert sheet["A8"].value == "合计" and sheet["K8"].value == 3


@pytest.mark.parametrize(
    "args, message",
    [
        ({"period": periods.week_of(timezone.localdate()).code}, "尚未结束"),
        ({"period": "2025-13"}, "格式不对"),
        ({"region": "999999"}, "不存在"),
        ({"kind": "monthly"}, "未知的报表类型"),
        ({"kind": "festival"}, "应为 YYYY-MM-DD"),
        ({"name": "out.csv"}, ".xlsx"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(winter_county, tmp_path, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        _run(tmp_path, **args)
    assert caught.value.returncode == 2
    assert list((tmp_path / "out").iterdir()) == []


def test_same_week_same_numbers_and_submission_is_frozen(winter_county, users, tmp_path):
    first = services.report_compute(kind="winter-weekly", period=WEEK, region_code=COUNTY)
    assert services.report_compute(kind="winter-weekly", period=WEEK, region_code=COUNTY) == first
    # A record changed after the week (a benefit started later) does not move a past week.
    Benefit.objects.create(
        household=winter_county["老李"].household, category="dibao", since=dt.date(2025, 2, 1), monthly_amount=600
    )
    assert services.report_compute(kind="winter-weekly", period=WEEK, region_code=COUNTY) == first
    version = services.report_submit(
        user=users["staff"], kind="winter-weekly", period=WEEK, region_code=COUNTY, filler="王科员", phone="0356-7021234"
    )
    assert (version.version, version.submitted_by, version.due) == (1, users["staff"], dt.date(2025, 1, 15))
    assert version.late and version.data == first
    # A back-dated correction of the register changes the live numbers, not the submitted version.
    Benefit.objects.filter(household=winter_county["老张"].household).update(since=dt.date(2025, 1, 20))
    live = services.report_compute(kind="winter-weekly", period=WEEK, region_code=COUNTY)
    assert live["total"]["dibao"] == first["total"]["dibao"] - 3
    version.refresh_from_db()
    assert version.data["total"]["dibao"] == first["total"]["dibao"]
    sheet = load_workbook(_run(tmp_path)).active  # the command hands out the submitted version
    assert sheet["B8"].value == first["total"]["dibao"] and sheet["A10"].value == "填报人：王科员"
    with pytest.raises(PermissionError):
        version.save()


def test_correction_is_a_new_version_with_reason(winter_county, users):
    kwargs = {"kind": "winter-weekly", "period": WEEK, "region_code": COUNTY, "filler": "王科员", "phone": "13900000000"}
    services.report_submit(user=users["staff"], **kwargs)
    with pytest.raises(ReportError, match="更正须写明原因"):
        services.report_submit(user=users["staff"], **kwargs)
    Benefit.objects.filter(household=winter_county["老张"].household).update(since=dt.date(2025, 1, 20))
    second = services.report_submit(user=users["admin"], reason="张某户低保起始日期录入错误", **kwargs)
    assert second.version == 2 and second.data["total"]["dibao"] == 1
    assert [v.data["total"]["dibao"] for v in ReportVersion.objects.order_by("version")] == [4, 1]
    assert AuditEntry.objects.filter(entity="report").count() == 2


def test_submission_refused_to_lesser_roles_and_outside_scope(winter_county, users):
    kwargs = {"kind": "winter-weekly", "period": WEEK, "filler": "某", "phone": "1"}
    for name in ("helper_a1", "uploader", "supervisor", "finance"):
        with pytest.raises(ReportError, match="无权报送"):
            services.report_submit(user=users[name], region_code=TOWNSHIP_A, **kwargs)
    with pytest.raises(ReportError, match="不在您的管辖范围内"):
        services.report_submit(user=users["clerk_b"], region_code=TOWNSHIP_A, **kwargs)
    with pytest.raises(ReportError, match="不在您的管辖范围内"):
        services.report_submit(user=users["clerk_a"], region_code=COUNTY, **kwargs)
    with pytest.raises(ReportError, match="填报人和联系电话"):
        services.report_submit(
            user=users["clerk_a"], region_code=TOWNSHIP_A, kind="winter-weekly", period=WEEK, filler=" ", phone=""
        )
    assert services.report_submit(user=users["clerk_a"], region_code=TOWNSHIP_A, **kwargs).version == 1
