"""Correcting a household's own facts: recorded with who and why, shown in the history;
rejected forms keep what was typed; a stale form is refused; scope and roles hold."""

import pytest
from django.urls import reverse

from doudi.core.models import AuditEntry, User
from doudi.registry.forms import HouseholdCorrectionForm
from doudi.registry.models import Household
from doudi.registry.services import household_update, registry_import


def form_data(household, **changes):
    form = HouseholdCorrectionForm(instance=household, initial={"version": household.version})
    data = {name: ("" if value is None else value) for name, value in ((n, form[n].value()) for n in form.fields)}
    data.update({"reason": "入户核查发现存款", **changes})
    return data


def test_edit_is_saved_audited_and_shown_in_history(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    client.force_login(users["clerk_a"])
    url = reverse("household_edit", args=["H001"])
    assert client.post(url, form_data(household, financial_assets="25000", address="新村2号")).status_code == 302
    household.refresh_from_db()
    assert str(household.financial_assets) == "25000.00" and household.address == "新村2号" and household.version == 2
    entry = AuditEntry.objects.get(action="update", entity="household")
    assert entry.changes["financial_assets"] == ["1000.00", "25000"] and entry.reason == "入户核查发现存款"
    assert entry.user == users["clerk_a"] and entry.household_code == "H001"
    page = client.get(reverse("household_detail", args=["H001"])).content.decode()
    assert "入户核查发现存款" in page and "household-edit-link" in page


def test_rejected_form_keeps_input_and_changes_nothing(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    client.force_login(users["clerk_a"])
    url = reverse("household_edit", args=["H001"])
    response = client.post(url, form_data(household, financial_assets="-5", address="东街9号"))
    page = response.content.decode()
    assert response.status_code == 400 and "不能小于 0" in page and "东街9号" in page
    response = client.post(url, form_data(household, vehicle_count="两辆", reason=""))
    page = response.content.decode()
    assert response.status_code == 400 and "两辆" in page and "此项不能为空" in page
    household.refresh_from_db()
    assert household.version == 1 and household.address != "东街9号" and not AuditEntry.objects.filter(action="update").exists()


def test_stale_form_is_refused(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    stale = form_data(household, address="旧表单")
    client.force_login(users["clerk_a"])
    assert client.post(reverse("household_edit", args=["H001"]), form_data(household, property_count="2")).status_code == 302
    client.force_login(users["staff"])
    response = client.post(reverse("household_edit", args=["H001"]), stale)
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    household.refresh_from_db()
    assert household.address != "旧表单" and household.property_count == 2


def test_other_township_and_read_only_roles_are_refused(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    for name in ("helper_a1", "supervisor", "finance"):
        client.force_login(User.objects.get(username=name))
        assert client.post(reverse("household_edit", args=["H001"]), form_data(household, address="x")).status_code == 403
    client.force_login(users["clerk_b"])
    assert client.get(reverse("household_edit", args=["H001"])).status_code == 404
    assert client.post(reverse("household_edit", args=["H001"]), form_data(household, address="x")).status_code == 404
    household.refresh_from_db()
    assert household.version == 1


def test_service_refuses_a_correction_without_reason(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    with pytest.raises(ValueError, match="修改台账必须填写原因"):
        household_update(
            user=users["clerk_a"], household=household, changes={"address": "x"}, reason="  ", expected_version=household.version
        )
    household.refresh_from_db()
    assert household.version == 1 and household.address != "x"
