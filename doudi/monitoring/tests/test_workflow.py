import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from doudi.core.models import AuditEntry
from doudi.datasets.services import dataset_import
from doudi.monitoring.models import Warning, WarningTransition
from doudi.monitoring.services import WorkflowError, comparison_run, warning_confirm, warning_dismiss, warning_visit_record
from doudi.monitoring.tests.conftest import DATASETS, EXPECTED, pid, write_dataset
from doudi.registry.models import Benefit

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _warning(rule):
    return Warning.objects.select_related("person").get(rule=rule)


def test_run_stores_each_warning_once_with_a_deadline(planted, users):
    run, kept = comparison_run(as_of=planted["as_of"], user=users["staff"])
    assert Warning.objects.count() == len(EXPECTED) == len(kept)
    red = _warning("deceased")
    assert red.township_code == "140521100" and red.status == "open"
    created = timezone.localtime(red.created_at).date()
    assert (red.deadline - created).days == 7  # compare.deadline_days.red
    assert (_warning("high_medical").deadline - created).days == 30
    assert run.counts["deceased"] == {"found": 1, "new": 1, "open": 0, "suppressed": 0}
    again, kept = comparison_run(as_of=planted["as_of"], user=users["staff"])
    assert Warning.objects.count() == len(EXPECTED) and len(kept) == len(EXPECTED)
    assert again.counts["deceased"]["open"] == 1 and _warning("deceased").last_run == again
    assert WarningTransition.objects.filter(to_status="open").count() == len(EXPECTED)


def test_dismissed_warning_stays_away_until_its_evidence_changes(planted, users, tmp_path):
    comparison_run(as_of=planted["as_of"])
    vehicle = _warning("vehicle")
    with pytest.raises(WorkflowError):
        warning_dismiss(warning=vehicle, user=users["clerk_b"], reason="  ")
    warning_dismiss(warning=vehicle, user=users["clerk_b"], reason="车辆已于2024年转让，有过户凭证")
    _, kept = comparison_run(as_of=planted["as_of"])
    assert "vehicle" not in {f.rule for f in kept}
    assert Warning.objects.filter(rule="vehicle").count() == 1
    rows = DATASETS["vehicle"] + [(pid("钱七"), "钱七", "晋E99999", "小型普通客车", "2025-05-01")]
    dataset_import(kind="vehicle", path=write_dataset(tmp_path / "v2", "vehicle", rows), as_of=planted["as_of"])
    _, kept = comparison_run(as_of=planted["as_of"])
    assert "vehicle" in {f.rule for f in kept}
    assert Warning.objects.filter(rule="vehicle", status="open").count() == 1


def test_confirm_stops_the_benefit_with_audit_and_transitions(planted, users):
    comparison_run(as_of=planted["as_of"])
    death = _warning("deceased")
    dibao = Benefit.objects.get(household=death.household, category="dibao")
    warning_visit_record(
        warning=death,
        user=users["clerk_a"],
        visited_on=dt.date.today(),
        notes="村委证实已于1月去世",
        photos=[SimpleUploadedFile("门前.png", PNG, "image/png")],
    )
    assert _warning("deceased").status == "checking"
    warning_confirm(
        warning=_warning("deceased"),
        user=users["clerk_a"],
        outcome="stop",
        reason="户主死亡，停发低保",
        benefits=[dibao],
        stop_on=dt.date(2025, 6, 30),
    )
    dibao.refresh_from_db()
    assert dibao.until == dt.date(2025, 6, 30)
    end = AuditEntry.objects.get(action="end", entity="benefit", household_code="H001")
    assert end.user == users["clerk_a"] and "死亡" in end.reason
    steps = list(WarningTransition.objects.filter(warning=death).values_list("from_status", "to_status"))
    assert steps == [("", "open"), ("open", "checking"), ("checking", "confirmed")]
    assert death.visits.get().photos.get().content_type == "image/png"
    from doudi.payments.models import Overpayment

    owed = Overpayment.objects.get(person=death.person)  # amount: what payrolls sent after the death (none here)
    assert (owed.category, owed.from_month) == ("dibao", "2025-02")
    with pytest.raises(WorkflowError):
        warning_dismiss(warning=_warning("deceased"), user=users["clerk_a"], reason="重复")


def test_other_township_cannot_act_and_bad_photos_are_refused(planted, users):
    comparison_run(as_of=planted["as_of"])
    death = _warning("deceased")  # township A
    with pytest.raises(PermissionError):
        warning_dismiss(warning=death, user=users["clerk_b"], reason="不是本镇")
    with pytest.raises(PermissionError):
        warning_dismiss(warning=death, user=users["supervisor"], reason="只读")
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not an image", "image/jpeg")
    with pytest.raises(WorkflowError, match="不是 JPEG 或 PNG"):
        warning_visit_record(warning=death, user=users["clerk_a"], visited_on=dt.date.today(), notes="入户", photos=[fake])
    assert not death.visits.exists() and _warning("deceased").status == "open"
    with pytest.raises(WorkflowError, match="停发待遇时请至少选择"):
        warning_confirm(warning=death, user=users["clerk_a"], outcome="stop", reason="死亡")
