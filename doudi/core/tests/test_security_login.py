"""Login lockout by (username, address) pair, in Chinese, with an unlock page for the
county administrator (issue 12, A9); password policy (B)."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from doudi.core.models import AuditEntry

OFFICE, HOME = "10.0.0.1", "10.0.0.2"


def attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def lock(client, username, address=OFFICE):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "wrong-password", address)


@pytest.mark.django_db
def test_lockout_is_per_user_and_address_and_in_chinese(client, users):
    lock(client, "clerk_a")
    locked = attempt(client, "clerk_a", "pass-clerk_a", OFFICE)
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "登录失败次数过多" in text and "Account locked" not in text
    # The same user from another address, and another user from the same address, still sign in.
    assert attempt(client, "clerk_a", "pass-clerk_a", HOME).status_code == 302
    client.logout()
    assert attempt(client, "clerk_b", "pass-clerk_b", OFFICE).status_code == 302


@pytest.mark.django_db
def test_county_admin_sees_and_unlocks_a_pair(client, users):
    lock(client, "clerk_a")
    client.force_login(users["admin"])
    page = client.get(reverse("login_locks"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "clerk_a" in text and OFFICE in text
    done = client.post(reverse("login_locks"), {"username": "clerk_a", "ip_address": OFFICE})
    assert done.status_code == 302
    entry = AuditEntry.objects.get(entity="登录锁定")
    assert (entry.user, entry.entity_key) == (users["admin"], "clerk_a") and OFFICE in str(entry.changes)
    client.logout()
    assert attempt(client, "clerk_a", "pass-clerk_a", OFFICE).status_code == 302


@pytest.mark.django_db
def test_unlock_page_is_for_the_county_admin_only(client, users):
    lock(client, "clerk_b")
    for name in ("clerk_a", "staff", "supervisor", "uploader"):
        client.force_login(users[name])
        assert client.get(reverse("login_locks")).status_code == 403, name
        assert client.post(reverse("login_locks"), {"username": "clerk_b", "ip_address": OFFICE}).status_code == 403
    client.logout()
    assert attempt(client, "clerk_b", "pass-clerk_b", OFFICE).status_code == 429


@pytest.mark.django_db
def test_admin_sees_only_locks_of_users_in_scope(client, users, regions):
    from doudi.core.roles import Role
    from doudi.core.services import user_create

    user_create(username="other_admin", password="pass-other", role=Role.COUNTY_ADMIN, region_code="140521100")
    lock(client, "clerk_b")
    client.force_login(users["admin"].__class__.objects.get(username="other_admin"))
    assert "clerk_b" not in client.get(reverse("login_locks")).content.decode()
    client.post(reverse("login_locks"), {"username": "clerk_b", "ip_address": OFFICE})
    client.logout()
    assert attempt(client, "clerk_b", "pass-clerk_b", OFFICE).status_code == 429


@pytest.mark.django_db
def test_password_policy_in_chinese(users):
    user = users["clerk_a"]
    for weak, expected in (
        ("short1", "至少需要 10 个字符"),
        ("password123", "常见"),
        ("1234567890123", "只包含数字"),
        ("clerk_a_2024", "相似"),
    ):
        with pytest.raises(ValidationError) as caught:
            validate_password(weak, user)
        assert any(expected in m for m in caught.value.messages), (weak, caught.value.messages)
    validate_password("龙港镇-低保-经办-2026", user)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lock_uses_the_forwarded_address(client, users, settings):
    settings.DOUDI_TRUSTED_PROXY, settings.DOUDI_PROXY_COUNT = True, 1
    proxy = "10.9.9.9"

    def via_proxy(username, password, forwarded):
        return client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy("clerk_a", "wrong-password", "1.1.1.1")
    # A client cannot pick its address: the proxy appends the real one last.
    assert via_proxy("clerk_a", "pass-clerk_a", "9.9.9.9, 1.1.1.1").status_code == 429
    assert via_proxy("clerk_a", "pass-clerk_a", "2.2.2.2").status_code == 302


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "clerk_a", "password": "x"}, REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="1.1.1.1"
        )
    response = client.post(
        reverse("login"), {"username": "clerk_a", "password": "pass-clerk_a"}, REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert response.status_code == 429
