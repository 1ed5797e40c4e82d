"""Bulk writes used by imports: reserved ids are unique, usable, and not handed out again
once their rows are written."""

import pytest
from django.utils import timezone

from doudi.core.bulk import insert_rows, reserve_ids
from doudi.core.models import AuditEntry

FIELDS = ["id", "at", "role", "action", "entity", "entity_key", "household_code", "changes", "reason", "batch"]


def _write(ids):
    insert_rows(
        AuditEntry,
        FIELDS,
        [(pk, timezone.now(), "system", "create", "household", f"H{pk}", f"H{pk}", {}, "测试", "b") for pk in ids],
    )


@pytest.mark.django_db
def test_reserved_ids_are_distinct_and_not_reused():
    first = reserve_ids(AuditEntry, 4)
    _write(first)
    second = reserve_ids(AuditEntry, 3)
    _write(second)
    later = AuditEntry.objects.create(
        at=timezone.now(),
        role="system",
        action="create",
        entity="household",
        entity_key="X",
        household_code="X",
        changes={},
        reason="测试",
        batch="b",
    )
    assert len(first) == 4 and len(second) == 3
    assert len({*first, *second, later.pk}) == 8
    assert AuditEntry.objects.count() == 8
    assert reserve_ids(AuditEntry, 0) == []
