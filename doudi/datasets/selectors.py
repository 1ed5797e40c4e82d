"""Reads of department datasets, for screens (scoped to the user) and for the batch
comparison (by as-of date and region).

For the comparison rules (doudi.monitoring):

    latest_imports(as_of=date, region_code="140521")  -> list[DatasetImport]
        per kind and per import region, the newest snapshot with as_of <= date whose
        region covers region_code or lies inside it
    dataset_rows(kind, as_of=date, region_code="")    -> pyarrow.Table
        those snapshots' rows (storage.py columns) plus `import_id`; empty with the
        right schema when the kind was never imported
    registry_persons(region_code="")                  -> pyarrow.Table
        id_number, name, name_key, birth_date, region_code, household_code of every
        registry person: the other side of linkage.link()
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Q

from doudi.datasets import storage
from doudi.datasets.kinds import KINDS
from doudi.datasets.models import DatasetImport, DatasetRowIssue
from doudi.datasets.names import clean_name, name_key


def _covering(region_code: str) -> Q:
    """Imports about the region: covering it (a prefix of it) or inside it."""
    prefixes = [region_code[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(region_code)]
    inside = Q(region_code__startswith=region_code) if region_code else Q()
    return Q(region_code__in=prefixes) | inside


def imports_for(user):
    """Imports a user may see: those covering or inside the user's scope."""
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    if code is None:
        return DatasetImport.objects.none()
    return DatasetImport.objects.filter(_covering(code)).select_related("user")


def import_for(user, pk: int) -> DatasetImport | None:
    return imports_for(user).filter(pk=pk).first()


def issues_of(record: DatasetImport):
    return DatasetRowIssue.objects.filter(dataset_import=record)


def latest_imports(*, as_of: dt.date, region_code: str = "", kinds=None) -> list[DatasetImport]:
    candidates = DatasetImport.objects.filter(_covering(region_code), as_of__lte=as_of)
    if kinds is not None:
        candidates = candidates.filter(kind__in=list(kinds))
    latest: dict[tuple[str, str], DatasetImport] = {}
    for record in candidates.order_by("kind", "region_code", "-as_of", "-version"):
        latest.setdefault((record.kind, record.region_code), record)
    return list(latest.values())


def dataset_rows(kind: str, *, as_of: dt.date, region_code: str = "") -> pa.Table:
    schema = pa.schema([("import_id", pa.int64())] + list(storage.schema(KINDS[kind])))
    tables = []
    for record in latest_imports(as_of=as_of, region_code=region_code, kinds=[kind]):
        table = pq.read_table(str(settings.DATA_DIR / "datasets" / record.storage))
        ids = pa.array([record.pk] * table.num_rows, pa.int64())
        tables.append(table.add_column(0, "import_id", ids))
    return pa.concat_tables(tables) if tables else schema.empty_table()


PERSON_SCHEMA = pa.schema(
    [
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("birth_date", pa.date32()),
        ("region_code", pa.string()),
        ("household_code", pa.string()),
    ]
)


def registry_persons(region_code: str = "", chunk: int = 100_000) -> pa.Table:
    """Registry persons as an Arrow table, read in chunks from the registry's extract (never a
    province of objects), names cleaned and keyed for linkage."""
    from doudi.registry.extracts import person_link_chunks

    batches = []
    for rows in person_link_chunks(region_code, chunk):
        names = [clean_name(r[1]) for r in rows]
        batches.append(
            pa.record_batch(
                [
                    [r[0] for r in rows],
                    names,
                    [name_key(n) for n in names],
                    [r[2] for r in rows],
                    [r[3] for r in rows],
                    [r[4] for r in rows],
                ],
                schema=PERSON_SCHEMA,
            )
        )
    return pa.Table.from_batches(batches, schema=PERSON_SCHEMA)
