"""Bank accounts outside the unmask permission (issue 12, A7): the person correction form
shows the account masked and keeps it unless a new one is typed; a formula-like account is
refused; the change log shows old → new accounts masked."""

from django.urls import reverse

from doudi.core import idnumber
from doudi.registry.models import Person
from doudi.registry.services import registry_import
from doudi.registry.tests.test_person_edit import form_data

ACCOUNT = "6228480012345678901"  # conftest's member_row
NEW = "6222021234567890123"


def _zhang(small_registry) -> Person:
    registry_import(paths=[small_registry["folder"]])
    return Person.objects.get(name="张三")


def test_form_shows_a_masked_account_to_clerks_and_staff(client, users, small_registry):
    zhang = _zhang(small_registry)
    for name in ("clerk_a", "staff"):
        client.force_login(users[name])
        page = client.get(reverse("person_edit", args=[zhang.pk])).content.decode()
        assert ACCOUNT not in page and idnumber.mask_account(ACCOUNT) in page, name


def test_untouched_masked_account_keeps_the_stored_one(client, users, small_registry):
    zhang = _zhang(small_registry)
    client.force_login(users["clerk_a"])
    data = form_data(zhang, phone="13800000000")
    assert data["bank_account"] == idnumber.mask_account(ACCOUNT)
    assert client.post(reverse("person_edit", args=[zhang.pk]), data).status_code == 302
    zhang.refresh_from_db()
    assert zhang.bank_account == ACCOUNT and zhang.phone == "13800000000"


def test_a_new_account_is_saved_and_a_formula_refused(client, users, small_registry):
    zhang = _zhang(small_registry)
    client.force_login(users["clerk_a"])
    for bad in ('=HYPERLINK("http://x")', "@6222", "6222\x0702123"):
        response = client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, bank_account=bad))
        assert response.status_code == 400 and "银行账号" in response.content.decode(), bad
    half = client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, bank_account="****1234"))
    assert half.status_code == 400 and "完整" in half.content.decode()
    zhang.refresh_from_db()
    assert zhang.bank_account == ACCOUNT and zhang.version == 1
    assert client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, bank_account=NEW)).status_code == 302
    zhang.refresh_from_db()
    assert zhang.bank_account == NEW


def test_change_log_masks_accounts_for_the_supervisor(client, users, small_registry):
    zhang = _zhang(small_registry)
    client.force_login(users["clerk_a"])
    client.post(reverse("person_edit", args=[zhang.pk]), form_data(zhang, bank_account=NEW))
    client.force_login(users["supervisor"])
    page = client.get(reverse("household_detail", args=["H001"])).content.decode()
    assert "变更记录" in page
    assert ACCOUNT not in page and NEW not in page
    assert idnumber.mask_account(ACCOUNT) in page and idnumber.mask_account(NEW) in page
