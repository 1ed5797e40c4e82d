"""人情保 evidence (issue 12, A6): the cadre's ID number in a warning's detail is masked on
the warning page and in the export like every ID number; the export's text stays text;
an unmasked export is for roles allowed to unmask, with a reason, and logged."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1, person_id
from doudi.core import idnumber
from doudi.core.models import AuditEntry
from doudi.monitoring.models import Warning
from doudi.monitoring.services import comparison_run

pytestmark = pytest.mark.django_db
CADRE = person_id(COUNTY, "19650101", 91)  # 冯二, the planted village head


@pytest.fixture
def cadre_warning(planted):
    comparison_run(as_of=planted["as_of"])
    warning = Warning.objects.get(rule="cadre_relative")
    assert CADRE in str(warning.detail)  # the stored evidence keeps the full number
    return warning


def _export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("warning_list"), {"export": "xlsx", "status": "", **params})
    assert response.status_code == 200, response.content.decode()
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return "|".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def test_village_helper_sees_the_cadre_number_masked(client, users, cadre_warning):
    # Move the warning into the helper's village so the helper may open it.
    Warning.objects.filter(pk=cadre_warning.pk).update(region_code=VILLAGE_A1, township_code=TOWNSHIP_A)
    client.force_login(users["helper_a1"])
    page = client.get(reverse("warning_detail", args=[cadre_warning.pk])).content.decode()
    assert "冯二" in page and CADRE not in page and idnumber.mask(CADRE) in page


def test_supervisor_page_and_export_mask_the_cadre_number(client, users, cadre_warning):
    client.force_login(users["supervisor"])
    page = client.get(reverse("warning_detail", args=[cadre_warning.pk])).content.decode()
    assert CADRE not in page and idnumber.mask(CADRE) in page
    text = _export(client, users["supervisor"])
    assert "冯二" in text and CADRE not in text and idnumber.mask(CADRE) in text
    register = client.get(reverse("cadre_register"), {"export": "xlsx"})
    assert CADRE.encode() not in b"".join(register.streaming_content)


def test_unmasked_warning_export_for_staff_with_a_reason_is_logged(client, users, cadre_warning):
    client.force_login(users["supervisor"])
    refused = client.get(reverse("warning_list"), {"export": "xlsx", "unmasked": "1", "reason": "调阅"})
    assert refused.status_code == 403
    text = _export(client, users["staff"], unmasked="1", reason="人情保复核")
    assert CADRE in text
    entry = AuditEntry.objects.get(entity="export")
    assert entry.user == users["staff"] and entry.reason == "人情保复核" and entry.changes["rows"] >= 1


def test_household_chain_masks_the_id_number_of_register_changes(client, users, planted):
    from doudi.registry.models import Person
    from doudi.registry.services import person_update

    person = Person.objects.get(id_number=planted["ids"]["张三"])
    person_update(
        user=users["staff"], person=person, changes={"phone": "13800000000"}, reason="核实电话", expected_version=person.version
    )
    client.force_login(users["helper_a1"])
    page = client.get(reverse("household_chain", args=["H001"])).content.decode()
    assert "核实电话" in page and planted["ids"]["张三"] not in page
