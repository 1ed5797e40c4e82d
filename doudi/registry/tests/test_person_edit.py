"""Correcting a person: recorded with who and why; rejected forms keep what was typed;
two clerks saving the same person at once get one save and one refusal."""

from django.urls import reverse

from doudi.core.models import AuditEntry, User
from doudi.registry.forms import PersonCorrectionForm
from doudi.registry.models import Person
from doudi.registry.services import registry_import


def form_data(person, **changes):
    form = PersonCorrectionForm(instance=person, initial={"version": person.version})
    data = {name: ("" if value is None else value) for name, value in ((n, form[n].value()) for n in form.fields)}
    for key in ("serious_illness", "employed", "capable_supporter"):
        if not data[key]:
            data.pop(key)
    data.update(reason="入户核查", **changes)
    return data


def test_edit_is_saved_and_audited(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    zhang = Person.objects.get(name="张三")
    client.force_login(users["clerk_a"])
    response = client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, income_wage="1200"))
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert str(zhang.income_wage) == "1200.00" and zhang.version == 2
    entry = AuditEntry.objects.get(action="update", entity="person")
    assert entry.changes == {"income_wage": ["0.00", "1200"]} and entry.reason == "入户核查" and entry.user == users["clerk_a"]


def test_rejected_form_keeps_input_and_changes_nothing(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    zhang = Person.objects.get(name="张三")
    client.force_login(users["clerk_a"])
    response = client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, income_wage="一千", phone="13900000000"))
    page = response.content.decode()
    assert response.status_code == 400 and "一千" in page and "13900000000" in page
    zhang.refresh_from_db()
    assert zhang.version == 1 and zhang.phone == ""


def test_concurrent_edit_is_refused(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    zhang = Person.objects.get(name="张三")
    stale = form_data(zhang, phone="13800000000")
    client.force_login(users["clerk_a"])
    assert client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, income_wage="900")).status_code == 302
    client.force_login(users["staff"])
    response = client.post(reverse("person_edit", args=[zhang.pk]), stale)
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.phone == "" and str(zhang.income_wage) == "900.00"


def test_read_only_roles_cannot_edit(client, users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    zhang = Person.objects.get(name="张三")
    for name in ("helper_a1", "supervisor", "finance"):
        client.force_login(User.objects.get(username=name))
        assert client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, phone="1")).status_code == 403
    client.force_login(users["clerk_b"])
    assert client.get(reverse("person_edit", args=[zhang.pk])).status_code == 404
