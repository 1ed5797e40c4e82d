"""A province-sized import drops the foreign keys of persons and benefits and adds them
back at the end (PostgreSQL): they must exist afterwards, hold, and survive a failure."""

import pytest
from django.db import IntegrityError, connection, transaction

from doudi.core import bulk
from doudi.registry.importing import apply
from doudi.registry.models import Benefit, Person
from doudi.registry.services import registry_import

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL drops and re-adds foreign keys")


def _foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [[Person._meta.db_table, Benefit._meta.db_table]],
        )
        return cursor.fetchall()


@pytest.fixture
def bulk_threshold_of_one(monkeypatch):
    monkeypatch.setattr(bulk, "BULK_LOAD_ROWS", 1)


def test_bulk_load_restores_the_foreign_keys(users, small_registry, bulk_threshold_of_one):
    before = _foreign_keys()
    assert len(before) >= 3 and all("DEFERRABLE" in definition for _, definition in before)
    registry_import(paths=[small_registry["folder"]])
    assert _foreign_keys() == before
    assert Person.objects.count() == 4 and Benefit.objects.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():  # the restored key still refuses an orphan
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Person.objects.filter(pk=Person.objects.first().pk).update(household_id=999_999_999)


def test_failed_bulk_load_keeps_the_foreign_keys(users, small_registry, bulk_threshold_of_one, monkeypatch):
    before = _foreign_keys()

    def crash(self):
        raise RuntimeError("写入中途失败")

    monkeypatch.setattr(apply.RegistryWriter, "_write_benefits", crash)
    with pytest.raises(RuntimeError):
        registry_import(paths=[small_registry["folder"]])
    assert _foreign_keys() == before and Person.objects.count() == 0
