"""Region scoping: every query for a user goes through here (docs/design.md §1.5)."""

from __future__ import annotations

from django.db.models import QuerySet


def scope(queryset: QuerySet, user, region_field: str = "region__code") -> QuerySet:
    """Rows whose region lies in the user's subtree; nothing for a user without a scope."""
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    if code is None:
        return queryset.none()
    if code == "":
        return queryset
    return queryset.filter(**{f"{region_field}__startswith": code})


def in_scope(user, region_code: str) -> bool:
    code = getattr(user, "scope_code", None)
    return code is not None and region_code.startswith(code)
