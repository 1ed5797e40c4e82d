"""Rate limit of the public pages: a fixed one-minute window per client address in Django's
cache, like the applications API (doudi/cases/api.py) but keyed on the address a trusted
proxy reports (doudi.core.middleware.client_address), so one office behind a proxy is not
one client, and a client cannot pick its own address either.

Only what costs or reveals something is counted: submitting an application, looking up a
case (number + ID number), opening a household's status page. Reading the forms, the
calculator and the 公示 lists is not (nothing personal beyond what the 公示 publishes).
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from doudi.core.middleware import client_address

TOO_MANY = "请求过于频繁，请一分钟后再试"


def per_minute() -> int:
    return int(getattr(settings, "DOUDI_PUBLIC_PAGES_PER_MINUTE", 20))


def limited(request, bucket: str) -> bool:
    """True once this address made more than the limit's requests of `bucket` this minute."""
    limit = per_minute()
    key = f"public:{bucket}:{client_address(request) or ''}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=70):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        return False
