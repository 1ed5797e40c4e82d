"""User management by the county administrator and everyone's change of password (issue 12 B):
scope (another county's users are a 404), role refusals (403), grants limited to what the
administrator may give, disabling ends sessions, one-time passwords, double submissions, audit."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from openpyxl import load_workbook

from doudi.core import services_users as services
from doudi.core.models import AuditEntry, Region, User
from doudi.core.roles import Role
from doudi.core.services import user_create

OTHER_COUNTY, OTHER_TOWNSHIP = "140522", "140522100"


@pytest.fixture
def other_county(users):
    Region.objects.create(code=OTHER_COUNTY, name="阳城县", level="county", parent_id="1405")
    Region.objects.create(code=OTHER_TOWNSHIP, name="凤城镇", level="township", parent_id=OTHER_COUNTY)
    return {
        "admin": user_create(username="admin_y", password="pass-admin_y", role=Role.COUNTY_ADMIN, region_code=OTHER_COUNTY),
        "clerk": user_create(username="clerk_y", password="pass-clerk_y", role=Role.TOWNSHIP_CLERK, region_code=OTHER_TOWNSHIP),
    }


def as_admin(client, users):
    client.force_login(users["admin"])
    return client


def entries(username):
    return list(AuditEntry.objects.filter(entity="user", entity_key=username).order_by("id"))


# -- list --------------------------------------------------------------------------------


def test_list_is_the_admins_county_with_filters(client, users, other_county):
    page = as_admin(client, users).get(reverse("user_list")).content.decode()
    assert "clerk_a" in page and "helper_a1" in page and "clerk_y" not in page and "admin_y" not in page
    page = client.get(reverse("user_list"), {"role": Role.TOWNSHIP_CLERK}).content.decode()
    assert "clerk_a" in page and "clerk_b" in page and "helper_a1" not in page
    page = client.get(reverse("user_list"), {"region": "140521100"}).content.decode()
    assert "clerk_a" in page and "helper_a1" in page and "clerk_b" not in page
    page = client.get(reverse("user_list"), {"q": "help"}).content.decode()
    assert "helper_a1" in page and "clerk_a" not in page
    User.objects.filter(username="clerk_b").update(is_active=False)
    page = client.get(reverse("user_list"), {"active": "0"}).content.decode()
    assert "clerk_b" in page and "clerk_a" not in page
    page = client.get(reverse("user_list"), {"sort": "last_login"})
    assert page.status_code == 200 and 'class="cards"' in page.content.decode() and "data-print" in page.content.decode()


def test_list_export_is_scoped(client, users, other_county):
    response = as_admin(client, users).get(reverse("user_list"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "clerk_a" in names and "clerk_y" not in names and "admin_y" not in names


@pytest.mark.parametrize("name", ["staff", "clerk_a", "helper_a1", "finance", "supervisor", "uploader"])
def test_lesser_roles_are_refused(client, users, name):
    client.force_login(users[name])
    target = users["helper_a1"].pk
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("user_create")).status_code == 403
    assert (
        client.post(reverse("user_create"), {"username": "x", "role": Role.VILLAGE_HELPER, "region": "140521100201"}).status_code
        == 403
    )
    assert client.get(reverse("user_detail", args=[target])).status_code == 403
    assert client.post(reverse("user_active", args=[target]), {"active": "0"}).status_code == 403
    assert client.post(reverse("user_password_reset", args=[target])).status_code == 403
    assert User.objects.get(pk=target).is_active and not User.objects.filter(username="x").exists()
    assert not AuditEntry.objects.filter(entity="user").exists()


def test_another_countys_user_is_not_found(client, users, other_county):
    as_admin(client, users)
    clerk = other_county["clerk"]
    assert client.get(reverse("user_detail", args=[clerk.pk])).status_code == 404
    assert (
        client.post(reverse("user_detail", args=[clerk.pk]), {"role": Role.COUNTY_STAFF, "region": "140521"}).status_code == 404
    )
    assert client.post(reverse("user_active", args=[clerk.pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("user_password_reset", args=[clerk.pk])).status_code == 404
    clerk.refresh_from_db()
    assert clerk.is_active and clerk.role == Role.TOWNSHIP_CLERK and clerk.check_password("pass-clerk_y")
    assert not AuditEntry.objects.filter(entity="user").exists()


# -- create ------------------------------------------------------------------------------


def test_create_shows_a_one_time_password_once_and_audits(client, users):
    as_admin(client, users)
    form = client.get(reverse("user_create")).content.decode()
    assert "县民政局管理员" not in form.split('id="id_role"')[1].split("</select>")[0]  # not grantable
    response = client.post(
        reverse("user_create"),
        {"username": "clerk_new", "full_name": "王芳", "role": Role.TOWNSHIP_CLERK, "region": "140521101", "nonce": "n1"},
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="clerk_new")
    assert (user.role, user.region_id, user.full_name, user.is_active) == (Role.TOWNSHIP_CLERK, "140521101", "王芳", True)
    assert user.check_password(password)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    [entry] = entries("clerk_new")
    assert entry.action == "create" and entry.user == users["admin"]
    assert entry.changes["role"] == [None, Role.TOWNSHIP_CLERK] and entry.changes["region"] == [None, "140521101"]
    assert password not in str(entry.changes) and password not in entry.reason
    # The same form again (double click): nothing more is created, no second password.
    again = client.post(
        reverse("user_create"),
        {"username": "clerk_new", "full_name": "王芳", "role": Role.TOWNSHIP_CLERK, "region": "140521101", "nonce": "n1"},
    )
    assert again.status_code == 302 and again.url == reverse("user_detail", args=[user.pk])
    assert len(entries("clerk_new")) == 1 and User.objects.get(username="clerk_new").check_password(password)
    # Another form with a name in use is refused.
    taken = client.post(
        reverse("user_create"), {"username": "clerk_new", "role": Role.TOWNSHIP_CLERK, "region": "140521101", "nonce": "n2"}
    )
    assert "已被使用" in taken.content.decode() and len(entries("clerk_new")) == 1


def test_new_user_signs_in_with_the_one_time_password(client, users):
    response = as_admin(client, users).post(
        reverse("user_create"), {"username": "helper_new", "role": Role.VILLAGE_HELPER, "region": "140521100202", "nonce": "x"}
    )
    password = response.context["password"]
    client.logout()
    assert client.post(reverse("login"), {"username": "helper_new", "password": password}).status_code == 302


@pytest.mark.parametrize(
    "role, region, message",
    [
        (Role.COUNTY_ADMIN, "140521", None),  # not offered: a form error
        (Role.TOWNSHIP_CLERK, "140522100", None),  # another county: not offered
        (Role.TOWNSHIP_CLERK, "140521", "乡镇级"),  # a clerk works at a township
        (Role.VILLAGE_HELPER, "140521100", "村级"),
        (Role.FINANCE, "140521100", "县级"),
    ],
)
def test_create_refuses_roles_and_regions_beyond_the_admin(client, users, other_county, role, region, message):
    response = as_admin(client, users).post(
        reverse("user_create"), {"username": "newbie", "role": role, "region": region, "nonce": "z"}
    )
    assert response.status_code == 200 and not User.objects.filter(username="newbie").exists()
    if message:
        assert message in response.content.decode()


def test_service_refuses_superuser_grants_and_out_of_scope_regions(users, other_county):
    admin = users["admin"]
    with pytest.raises(services.UserRefused) as refused:
        services.user_add(actor=admin, username="boss", full_name="", role=Role.COUNTY_ADMIN, region_code="140521")
    assert refused.value.status == 403
    with pytest.raises(services.UserRefused) as refused:
        services.user_add(actor=admin, username="far", full_name="", role=Role.TOWNSHIP_CLERK, region_code=OTHER_TOWNSHIP)
    assert refused.value.status == 403
    with pytest.raises(services.UserRefused):
        services.user_add(actor=users["staff"], username="x", full_name="", role=Role.VILLAGE_HELPER, region_code="140521100201")
    assert not User.objects.filter(username__in=["boss", "far", "x"]).exists()
    from doudi.core.forms_users import UserCreateForm, UserEditForm

    for form in (UserCreateForm, UserEditForm):
        assert not {"is_superuser", "is_staff", "password"} & set(form.base_fields)


# -- edit --------------------------------------------------------------------------------


def test_edit_role_and_region_is_audited_with_old_new_pairs(client, users):
    clerk = users["clerk_a"]
    as_admin(client, users)
    response = client.post(
        reverse("user_detail", args=[clerk.pk]), {"full_name": "李明", "role": Role.TOWNSHIP_CLERK, "region": "140521101"}
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.region_id == "140521101" and clerk.full_name == "李明"
    [entry] = entries("clerk_a")
    assert entry.changes == {"region": ["140521100", "140521101"], "full_name": ["", "李明"]} and entry.user == users["admin"]
    # Sent again: nothing changed, nothing more recorded.
    client.post(
        reverse("user_detail", args=[clerk.pk]), {"full_name": "李明", "role": Role.TOWNSHIP_CLERK, "region": "140521101"}
    )
    assert len(entries("clerk_a")) == 1
    page = client.get(reverse("user_detail", args=[clerk.pk])).content.decode()
    assert "龙港镇（140521100） → 中村镇（140521101）" in page
    # Raising to county administrator is not offered.
    client.post(reverse("user_detail", args=[clerk.pk]), {"role": Role.COUNTY_ADMIN, "region": "140521"})
    clerk.refresh_from_db()
    assert clerk.role == Role.TOWNSHIP_CLERK


def test_admin_may_not_change_disable_or_reset_themselves_or_a_peer(client, users):
    admin = users["admin"]
    peer = user_create(username="admin2", password="pass-admin2", role=Role.COUNTY_ADMIN, region_code="140521")
    as_admin(client, users)
    for target in (admin, peer):
        assert client.post(reverse("user_active", args=[target.pk]), {"active": "0"}).status_code == 403
        assert client.post(reverse("user_password_reset", args=[target.pk]), {"nonce": "a"}).status_code == 403
        assert (
            client.post(
                reverse("user_detail", args=[target.pk]), {"role": Role.VILLAGE_HELPER, "region": "140521100201"}
            ).status_code
            == 403
        )
        target.refresh_from_db()
        assert target.is_active and target.role == Role.COUNTY_ADMIN
    page = client.get(reverse("user_detail", args=[admin.pk])).content.decode()
    assert "修改密码" in page and "停用账号" not in page


def test_superusers_are_hidden_from_the_county_admin(client, users):
    root = User.objects.create_superuser("root", password="pass-root-12345", region_id="140521")
    as_admin(client, users)
    assert "root" not in client.get(reverse("user_list")).content.decode()
    assert client.get(reverse("user_detail", args=[root.pk])).status_code == 404


# -- disable / enable ----------------------------------------------------------------------


def test_disabling_ends_sessions_and_login(client, users):
    from django.test import Client

    clerk_client = Client()
    clerk_client.force_login(users["clerk_a"])
    other = Client()
    other.force_login(users["clerk_b"])
    assert clerk_client.get(reverse("home")).status_code == 200
    as_admin(client, users)
    response = client.post(reverse("user_active", args=[users["clerk_a"].pk]), {"active": "0"})
    assert response.status_code == 302
    assert not User.objects.get(username="clerk_a").is_active
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(users["clerk_a"].pk) not in sessions and str(users["clerk_b"].pk) in sessions
    assert clerk_client.get(reverse("home")).status_code == 302  # sent to the login page
    assert other.get(reverse("home")).status_code == 200
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": "clerk_a", "password": "pass-clerk_a"}).status_code == 200  # refused
    [entry] = entries("clerk_a")
    assert entry.changes["is_active"] == [True, False] and entry.changes["sessions"] == [1, 0]
    # Twice: no second entry.
    client.post(reverse("user_active", args=[users["clerk_a"].pk]), {"active": "0"})
    assert len(entries("clerk_a")) == 1
    client.post(reverse("user_active", args=[users["clerk_a"].pk]), {"active": "1"})
    assert User.objects.get(username="clerk_a").is_active and entries("clerk_a")[-1].changes == {"is_active": [False, True]}
    assert fresh.post(reverse("login"), {"username": "clerk_a", "password": "pass-clerk_a"}).status_code == 302


# -- reset password ------------------------------------------------------------------------


def test_reset_password_once_per_form(client, users):
    clerk = users["clerk_b"]
    as_admin(client, users)
    response = client.post(reverse("user_password_reset", args=[clerk.pk]), {"nonce": "r1"})
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode() and "只显示这一次" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(password) and not clerk.check_password("pass-clerk_b")
    [entry] = entries("clerk_b")
    assert entry.user == users["admin"] and password not in str(entry.changes)
    again = client.post(reverse("user_password_reset", args=[clerk.pk]), {"nonce": "r1"})
    assert again.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(password) and len(entries("clerk_b")) == 1
    assert client.post(reverse("user_password_reset", args=[clerk.pk]), {"nonce": "r2"}).status_code == 200
    assert len(entries("clerk_b")) == 2


def test_one_time_passwords_pass_the_policy(users):
    from django.contrib.auth.password_validation import validate_password

    seen = set()
    for _ in range(50):
        password = services.one_time_password(users["clerk_a"])
        validate_password(password, users["clerk_a"])
        seen.add(password)
    assert len(seen) == 50


def test_menu_shows_user_management_to_the_admin_only(client, users):
    assert reverse("user_list") in as_admin(client, users).get(reverse("home")).content.decode()
    client.force_login(users["staff"])
    assert reverse("user_list") not in client.get(reverse("home")).content.decode()


# -- change my own password ------------------------------------------------------------------

NEW = "Qinshui-Bao-2026"


def test_change_own_password(client, users):
    client.force_login(users["helper_a1"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in page  # linked in the header
    response = client.post(
        reverse("password_change"), {"old_password": "pass-helper_a1", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    user = User.objects.get(username="helper_a1")
    assert user.check_password(NEW)
    assert client.get(reverse("password_change")).status_code == 200  # still signed in
    [entry] = entries("helper_a1")
    assert entry.user == user and NEW not in str(entry.changes) and entry.reason == "本人修改密码"
    # The same form again: the old password no longer matches, the new one does — done, not an error.
    again = client.post(
        reverse("password_change"), {"old_password": "pass-helper_a1", "new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "密码已修改" in again.content.decode() and len(entries("helper_a1")) == 1


@pytest.mark.parametrize(
    "old, new1, new2, message",
    [
        ("wrong", NEW, NEW, "原密码不正确"),
        ("pass-helper_a1", NEW, NEW + "x", "两次输入的新密码不一致"),
        ("pass-helper_a1", "short1", "short1", "至少需要 10 个字符"),
        ("pass-helper_a1", "password123", "password123", "太常见"),
        ("pass-helper_a1", "1234567890123", "1234567890123", "只包含数字"),
        ("pass-helper_a1", "helper_a1x", "helper_a1x", "相似"),
    ],
)
def test_change_own_password_policy_in_chinese(client, users, old, new1, new2, message):
    client.force_login(users["helper_a1"])
    response = client.post(reverse("password_change"), {"old_password": old, "new_password1": new1, "new_password2": new2})
    assert response.status_code == 200 and message in response.content.decode(), response.content.decode()
    assert User.objects.get(username="helper_a1").check_password("pass-helper_a1")
    assert not entries("helper_a1")


def test_change_password_needs_login(client, users):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response.url
