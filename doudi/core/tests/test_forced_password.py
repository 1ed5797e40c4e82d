"""A user the county administrator created, or whose password they reset, sets their own
password before anything else (issue 12 B password policy): every page sends them to 修改密码
until it is done; the new one must differ from the one-time password and pass the policy.
Users made with a known password (the demo logins) are not forced."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from doudi.core import services_users
from doudi.core.models import User

NEW = "Qinshui-Bao-2026"
PAGES = ("home", "household_list", "user_list", "unmask_log", "care:children")


def _reset(client, users, name: str) -> str:
    client.force_login(users["admin"])
    response = client.post(reverse("user_password_reset", args=[users[name].pk]), {"nonce": "n-" + name})
    assert response.status_code == 200
    client.logout()
    return response.context["password"]


def _sign_in(client, username, password):
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302


def test_admin_reset_user_is_sent_to_change_password_on_every_page_until_done(client, users):
    password = _reset(client, users, "clerk_a")
    assert User.objects.get(username="clerk_a").must_change_password
    _sign_in(client, "clerk_a", password)
    change = reverse("password_change")
    for name in PAGES:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(change), url
    sent = client.get(reverse("household_list"), {"q": "张"}).url
    assert sent.startswith(change + "?") and parse_qs(urlsplit(sent).query)["next"] == ["/households/?q=%E5%BC%A0"]
    assert client.post(reverse("household_list")).status_code == 302  # a form sent elsewhere: no
    htmx = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == change
    page = client.get(change)
    assert page.status_code == 200 and "请先设置您自己的新密码" in page.content.decode()
    # The new password must differ from the one-time one and pass the policy.
    same = client.post(change, {"old_password": password, "new_password1": password, "new_password2": password})
    assert same.status_code == 200 and "不能与原密码相同" in same.content.decode()
    short = client.post(change, {"old_password": password, "new_password1": "abc12", "new_password2": "abc12"})
    assert "至少需要 10 个字符" in short.content.decode()
    assert User.objects.get(username="clerk_a").must_change_password
    done = client.post(
        change, {"old_password": password, "new_password1": NEW, "new_password2": NEW, "next": "/households/?q=%E5%BC%A0"}
    )
    assert done.status_code == 302 and done.url == "/households/?q=%E5%BC%A0"
    user = User.objects.get(username="clerk_a")
    assert user.check_password(NEW) and not user.must_change_password
    for name in ("home", "household_list"):
        assert client.get(reverse(name)).status_code == 200, name  # normal again, same session
    client.logout()
    _sign_in(client, "clerk_a", NEW)
    assert client.get(reverse("home")).status_code == 200


def test_new_user_made_by_the_admin_is_forced_and_next_cannot_leave_the_site(client, users):
    user, password = services_users.user_add(
        actor=users["admin"], username="helper_new", full_name="", role="village_helper", region_code="140521100202"
    )
    assert user.must_change_password
    _sign_in(client, "helper_new", password)
    assert client.get(reverse("home")).url == reverse("password_change")
    done = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW, "new_password2": NEW, "next": "https://evil.example/"},
    )
    assert done.status_code == 302 and done.url == "/"
    assert client.get(reverse("home")).status_code == 200


def test_signing_out_and_static_files_stay_open(client, users):
    password = _reset(client, users, "helper_a1")
    _sign_in(client, "helper_a1", password)
    assert client.get("/static/doudi/site.css").status_code in (200, 404)  # not a redirect to the form
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["admin", "clerk_a", "helper_a1"])
def test_users_with_a_known_password_are_not_forced(client, users, name):
    """user_create (the demo logins, commands) sets a password the user knows."""
    assert not users[name].must_change_password
    _sign_in(client, name, "pass-" + name)
    assert client.get(reverse("home")).status_code == 200


def test_demo_logins_are_not_forced(regions, db):
    from doudi.core.demo import demo_users

    names = [name for name, _, _ in demo_users()]
    assert {"childdir1", "childsup1", "helper1", "admin"} <= set(names)
    assert not User.objects.filter(username__in=names, must_change_password=True).exists()
