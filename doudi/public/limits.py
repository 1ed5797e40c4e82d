"""Rate limit of the public pages (doudi.core.ratelimit: a one-minute window per client address).

Only what costs or reveals something is counted: submitting an application, looking up a
case (number + ID number), opening a household's status page. Reading the forms, the
calculator and the 公示 lists is not (nothing personal beyond what the 公示 publishes).
"""

from __future__ import annotations

from django.conf import settings

from doudi.core import ratelimit

TOO_MANY = "请求过于频繁，请一分钟后再试"


def per_minute() -> int:
    return int(getattr(settings, "DOUDI_PUBLIC_PAGES_PER_MINUTE", 20))


def limited(request, bucket: str) -> bool:
    """True once this address made more than the limit's requests of `bucket` this minute."""
    return ratelimit.limited(request, f"public:{bucket}", per_minute())
