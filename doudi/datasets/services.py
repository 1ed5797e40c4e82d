"""`dataset_import`: one department file in, one versioned snapshot out (docs/interfaces.md §5).

The same service serves the command line, the web upload (preview = dry run) and the
API. Whole-file problems (unknown kind, wrong headers, another kind's file, an as-of
date in the future, an empty file) raise ImportRejected and write nothing; the same
file imported twice changes nothing. Row problems do not stop the file: a row with a
bad cell is rejected and listed; a row whose ID number cannot be normalised is kept and
listed. The import row, its issues, the audit entry and the Parquet file appear
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pyarrow as pa
from django.db import transaction
from django.db.models import Max

from doudi.core.models import AuditEntry
from doudi.datasets import fastparse, storage
from doudi.datasets.models import DatasetImport, DatasetRowIssue
from doudi.datasets.parsing import Issue, RowParser, _fail, kind_or_fail, map_header, open_rows

ISSUES_STORED = 100_000  # beyond this only the counts are kept; the file is clearly broken
ISSUES_SHOWN = 500


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_as_of(as_of, file: str) -> dt.date:
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise _fail(file, f"数据截至日期「{as_of}」格式不对，应为 YYYY-MM-DD") from None
    if as_of > dt.date.today():
        raise _fail(file, f"数据截至日期 {as_of} 晚于今天，不能导入未来的数据")
    return as_of


class _Counts:
    def __init__(self):
        self.rows = self.rejected = self.invalid_ids = self.legacy_ids = self.duplicates = 0
        self.issues: list[Issue] = []
        self.issue_total = 0

    def note(self, issues: list[Issue]) -> None:
        self.issue_total += len(issues)
        room = ISSUES_STORED - len(self.issues)
        if room > 0:
            self.issues.extend(issues[:room])

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "rejected": self.rejected,
            "invalid_ids": self.invalid_ids,
            "legacy_ids": self.legacy_ids,
            "duplicates": self.duplicates,
            "issue_total": self.issue_total,
        }


def read_rows(kind, path: Path, file: str, writer, progress=None) -> _Counts:
    """Parses the file's rows into `writer` (None: a dry run); whole-file problems raise.
    Plain CSV files take the vectorised path (fastparse.py) and fall back to the row
    path, from the start, on anything it cannot read."""
    rows = open_rows(path)
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        raise _fail(file, "文件为空：没有表头行")
    parser = RowParser(kind, map_header(kind, header, file))
    if fastparse.suitable(path):
        try:
            counts = _consume_fast(fastparse.batches(path, parser, len(header), {}), parser, writer, progress)
        except pa.ArrowInvalid:  # a ragged row: the row path words the problem
            if writer is not None:
                writer.reset()
        else:
            return _check_some(counts, file)
    counts, seen = _Counts(), {}
    for row_no, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        key = "\x1f".join(c.strip() for c in cells)
        if key in seen:
            _duplicate(counts, row_no, seen[key])
            continue
        seen[key] = row_no
        _parse_row(counts, parser, row_no, cells, writer)
        if progress and counts.rows % 500_000 == 0:
            progress("读取并校验", counts.rows, 0)
    return _check_some(counts, file)


def _consume_fast(blocks, parser: RowParser, writer, progress) -> _Counts:
    counts = _Counts()
    for fast, slow, duplicates in blocks:
        counts.rows += fast.num_rows
        if writer is not None:
            writer.add_table(fast)
        # Issues in row order, as the row path reports them.
        events = sorted([(n, 0, e) for n, e in duplicates] + [(n, 1, c) for n, c in slow], key=lambda e: e[0])
        for row_no, is_row, payload in events:
            if is_row:
                _parse_row(counts, parser, row_no, payload, writer)
            else:
                _duplicate(counts, row_no, payload)
        if progress:
            progress("读取并校验", counts.rows, 0)
    return counts


def _duplicate(counts: _Counts, row_no: int, earlier: int) -> None:
    counts.duplicates += 1
    counts.note([Issue(row_no, "", "", f"与第{earlier}行完全相同，未重复保存", False)])


def _parse_row(counts: _Counts, parser: RowParser, row_no: int, cells: list, writer) -> None:
    values, issues = parser.parse(row_no, cells)
    if issues:
        counts.note(issues)
    if values is None:
        counts.rejected += 1
        return
    counts.rows += 1
    counts.invalid_ids += values["id_status"] == "invalid"
    counts.legacy_ids += values["id_status"] == "legacy15"
    if writer is not None:
        writer.add(values)


def _check_some(counts: _Counts, file: str) -> _Counts:
    if counts.rows == 0:
        first = "；".join(f"第{i.row_no}行{('「' + i.column + '」') if i.column else ''}{i.message}" for i in counts.issues[:5])
        raise _fail(file, "文件中没有可用的数据行" + (f"：{first}" if first else ""))
    return counts


def dataset_import(
    *, kind: str, path, as_of, user=None, channel: str = "cli", dry_run: bool = False, file_name: str = "", progress=None
) -> dict:
    """Imports one department file. Returns a summary dict whose `status` is
    "imported", "preview" (dry run) or "unchanged" (same file already imported)."""
    path = Path(path)
    file = file_name or path.name
    spec = kind_or_fail(kind)
    as_of = _check_as_of(as_of, file)
    if not path.exists():
        raise _fail(file, "文件不存在")
    region_code = getattr(user, "scope_code", None) or ""
    sha256 = file_sha256(path)
    earlier = DatasetImport.objects.filter(kind=spec.code, region_code=region_code, sha256=sha256).first()
    if earlier is not None:
        return {
            **_describe(earlier),
            "status": "unchanged",
            "message": f"同一文件已于 {earlier.at:%Y-%m-%d %H:%M} 导入为「{spec.label}」第{earlier.version}版"
            f"（截至 {earlier.as_of}），未重复导入",
        }
    temp = storage.folder(spec.code) / f".tmp-{uuid.uuid4().hex}.parquet"
    writer = None if dry_run else storage.RowWriter(spec, temp)
    try:
        counts = read_rows(spec, path, file, writer, progress)
        if dry_run:
            return {
                "status": "preview",
                "kind": spec.code,
                "label": spec.label,
                "as_of": as_of.isoformat(),
                "file_name": file,
                **counts.summary(),
                "issues": _issue_dicts(counts.issues[:ISSUES_SHOWN]),
                "encoding_note": _encoding_note(path),
            }
        writer.close()
        record = _record(spec, as_of, region_code, file, sha256, user, channel, counts, temp)
    except BaseException:
        if writer is not None:
            writer.discard()
        temp.unlink(missing_ok=True)
        raise
    return {
        **_describe(record),
        "status": "imported",
        "issue_total": counts.issue_total,
        "issues": _issue_dicts(counts.issues[:ISSUES_SHOWN]),
        "encoding_note": _encoding_note(path),
    }


def _encoding_note(path: Path) -> str:
    """ "文件编码：GB18030（…）" for a CSV, so the uploader sees how the file was read."""
    from doudi.core.tabular.reader import csv_encodings, encoding_note

    return encoding_note(csv_encodings([path])) if path.suffix.lower() == ".csv" else ""


def _record(spec, as_of, region_code, file, sha256, user, channel, counts: _Counts, temp: Path) -> DatasetImport:
    """The import row, its issues and the audit entry; the Parquet file is moved into
    place as the transaction's last step, and removed again if the commit fails."""
    user = user if getattr(user, "pk", None) else None
    target = None
    try:
        with transaction.atomic():
            # Two imports of one kind at the same instant collide on the unique
            # (kind, version) constraint and the second fails cleanly.
            version = (DatasetImport.objects.filter(kind=spec.code).aggregate(v=Max("version"))["v"] or 0) + 1
            record = DatasetImport.objects.create(
                kind=spec.code,
                version=version,
                as_of=as_of,
                region_code=region_code,
                file_name=file[:255],
                sha256=sha256,
                user=user,
                role=getattr(user, "role", "") or "",
                channel=channel,
                storage="",
                **{k: v for k, v in counts.summary().items() if k != "issue_total"},
            )
            target = storage.final_path(spec.code, record.pk)
            record.storage = str(target.relative_to(storage.folder(spec.code).parent))
            record.save(update_fields=["storage"])
            DatasetRowIssue.objects.bulk_create(
                [
                    DatasetRowIssue(
                        dataset_import=record,
                        row_no=i.row_no,
                        column=i.column[:40],
                        value=i.value[:100],
                        message=i.message[:200],
                        kept=i.kept,
                    )
                    for i in counts.issues
                ],
                batch_size=5000,
            )
            AuditEntry.objects.create(
                user=user,
                role=record.role,
                action="create",
                entity="dataset",
                entity_key=f"{spec.code}#{version}",
                changes={"file": file, "as_of": as_of.isoformat(), "sha256": sha256, "channel": channel, **counts.summary()},
                reason="部门数据报送",
            )
            storage.publish(temp, target)
    except BaseException:
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    return record


def _describe(record: DatasetImport) -> dict:
    return {
        "import_id": record.pk,
        "kind": record.kind,
        "label": record.kind_label,
        "version": record.version,
        "as_of": record.as_of.isoformat(),
        "file_name": record.file_name,
        "rows": record.rows,
        "rejected": record.rejected,
        "invalid_ids": record.invalid_ids,
        "legacy_ids": record.legacy_ids,
        "duplicates": record.duplicates,
    }


def _issue_dicts(issues: list[Issue]) -> list[dict]:
    return [{"row": i.row_no, "column": i.column, "value": i.value, "message": i.message, "kept": i.kept} for i in issues]
