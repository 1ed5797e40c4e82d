"""Security headers on every page and export, Chinese error pages, API docs without a
CDN (issue 12, A11 and B)."""

import re

import pytest
from django.test import Client
from django.urls import reverse


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_scripts(client, users):
    for response in (client.get(reverse("login")), _signed_in(client, users["clerk_a"]).get(reverse("home"))):
        rules = policy(response)
        assert rules["script-src"] == "script-src 'self'"
        assert "'unsafe-inline'" not in rules["script-src"] and "'unsafe-eval'" not in rules["script-src"]
        assert rules["frame-ancestors"] == "frame-ancestors 'none'"


@pytest.mark.django_db
def test_signed_in_pages_and_exports_are_not_stored(client, users):
    _signed_in(client, users["clerk_a"])
    for url in (reverse("home"), reverse("household_list"), reverse("household_list") + "?export=xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client, users):
    _signed_in(client, users["admin"])
    for url in (reverse("home"), reverse("login_locks")):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert "onclick=" not in html


@pytest.mark.django_db
def test_error_pages_are_chinese(client, users, settings):
    settings.DEBUG = False
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "没有找到" in missing.content.decode()
    bad_host = client.get("/login/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and "请求无效" in bad_host.content.decode()
    _signed_in(client, users["clerk_a"])
    denied = client.get(reverse("login_locks"))
    assert denied.status_code == 403 and "无权访问" in denied.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_chinese(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "clerk_a", "password": "x"})
    text = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in text and "CSRF verification failed" not in text


@pytest.mark.django_db
@pytest.mark.urls("doudi.core.tests.urls_boom")
def test_server_error_is_chinese(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    text = response.content.decode()
    assert response.status_code == 500 and "系统出错" in text and "Server Error" not in text
    assert "测试用的程序错误" not in text and response["Content-Security-Policy"]


@pytest.mark.django_db
def test_api_docs_load_nothing_from_other_hosts(client, users):
    _signed_in(client, users["uploader"])
    response = client.get("/api/datasets/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.findall(r"(?:src|href)=[\"']?(?:https?:)?//", html), re.findall(r"https?://[^\"' ]+", html)


def _signed_in(client, user):
    client.force_login(user)
    return client
