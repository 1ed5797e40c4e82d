"""Rate limits for what anyone may call without logging in (the applications API, the public
pages): a fixed one-minute window per client address in Django's cache. The address is the one
a trusted proxy reports (doudi.core.middleware.client_address), so an office behind a proxy is
not one client and a client cannot pick its own address."""

from __future__ import annotations

import time

from django.core.cache import cache

from doudi.core.middleware import client_address


def limited(request, bucket: str, per_minute: int) -> bool:
    """True once this address made more than `per_minute` requests of `bucket` this minute."""
    key = f"ratelimit:{bucket}:{client_address(request) or ''}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=70):
        return per_minute < 1
    try:
        return cache.incr(key) > per_minute
    except ValueError:  # expired between add and incr
        return False
