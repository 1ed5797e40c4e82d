"""Request hardening shared by every page: security headers, and upload file names that
fit on disk.

Content-Security-Policy: scripts only from our own static files, so an injected
<script> or onclick= does not run. Styles may still be inline (style="…" attributes in
the templates and htmx's indicator style). Inline handlers the templates still carry
(onclick="window.print()", hx-on:click="…remove()") are blocked by it and done instead
by doudi/csp.js.

Cache-Control: no-store on every response to a signed-in user, pages and exports alike,
so a shared township computer or a proxy keeps no copy of household data.

client_address: the user's address for the login lockout (settings.AXES_CLIENT_IP_CALLABLE).

PasswordChangeRequiredMiddleware: a user the county administrator created, or whose password
they reset, is sent to 修改密码 from every page until they have set their own password.
"""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


# Most file systems allow 255 bytes per name; Django cuts names to 255 *characters*, and
# 255 Chinese characters are 765 bytes in UTF-8, so saving such an upload failed with
# an error 500. Keep room for a suffix such as ".part".
MAX_NAME_BYTES = 200


def short_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """The name cut to `limit` UTF-8 bytes, keeping its extension and whole characters."""
    name = os.path.basename(name.replace("\\", "/")).replace("\x00", "")
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext.encode("utf-8")) > 20:  # not a real extension
        stem, ext = name, ""
    room = limit - len(ext.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", errors="ignore") + ext


class ShortNameMemoryUploadHandler(MemoryFileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, short_name(file_name), *args, **kwargs)


class ShortNameTemporaryUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, short_name(file_name), *args, **kwargs)


def client_address(request) -> str | None:
    """REMOTE_ADDR; behind a trusted proxy (DOUDI_TRUSTED_PROXY) the address the proxy
    appended to X-Forwarded-For, counted from the right (DOUDI_PROXY_COUNT proxies): the
    entries further left were sent by the client and could be anything. Without this,
    every user behind the proxy shares its address and the lockout is per user name."""
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "DOUDI_TRUSTED_PROXY", False):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    count = getattr(settings, "DOUDI_PROXY_COUNT", 1)
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


FORCED_CHANGE_MESSAGE = "您的密码由管理员设置（新建账号或重置密码），请先设置您自己的新密码，再使用系统。"  # also on the page


class PasswordChangeRequiredMiddleware:
    """Every request of a signed-in user with `must_change_password` goes to the change-password
    page (a GET is redirected with ?next=, an htmx request is told to go there, anything else
    is redirected too): only that page, signing out and static files stay open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if not self._open(request.path):
                return self._to_change_page(request)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        from django.urls import reverse

        allowed = (reverse("password_change"), reverse("logout"), reverse("login"))
        static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        return path in allowed or path.startswith(static) or path == "/favicon.ico"

    @staticmethod
    def _to_change_page(request):
        from urllib.parse import urlencode

        from django.http import HttpResponse
        from django.shortcuts import redirect
        from django.urls import reverse

        target = reverse("password_change")
        if request.method == "GET" and request.path != "/":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponse(FORCED_CHANGE_MESSAGE, status=200, headers={"HX-Redirect": target})
        return redirect(target)
