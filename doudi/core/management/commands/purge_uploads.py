"""`doudi purge_uploads [--days N] [--dry-run]`: deletes uploaded source files older than
the retention period (DOUDI_UPLOAD_RETENTION_DAYS, default 180 days).

An upload is one folder MEDIA_ROOT/<area>/<token>/ holding the files as sent and the
page's meta.json. The files are copies of department and registry spreadsheets full of
ID numbers; what they held is in the database (and datasets/*.parquet) once imported, so
keeping them forever only widens a leak. meta.json stays, with a note of what was deleted
and when, and each deletion is an audit entry; the import records are untouched.

Not touched: visit photos, signatures and case documents. They belong to a record (a
warning's visit, a case) and are kept with it under the archive rules.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from doudi.core.management.base import DoudiCommand
from doudi.core.models import AuditEntry

# Upload areas written by the upload pages: registry import (registry/views_import.py)
# and department datasets (datasets/views.py).
AREAS = ("imports", "dataset_uploads")
META = "meta.json"


class Command(DoudiCommand):
    help = "删除超过保留期限的上传原始文件（DOUDI_UPLOAD_RETENTION_DAYS，默认180天），保留导入记录并注明"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保留天数（默认取 DOUDI_UPLOAD_RETENTION_DAYS）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的上传，不删除")

    def handle(self, *args, days, dry_run, **options):
        days = settings.DOUDI_UPLOAD_RETENTION_DAYS if days is None else days
        if days <= 0:
            raise CommandError(
                "上传文件保留期限未启用（DOUDI_UPLOAD_RETENTION_DAYS=0 表示永久保留）；要清理请设置保留天数或使用 --days N"
            )
        cutoff = time.time() - days * 86400
        due = [folder for folder in _upload_folders() if _last_change(folder) < cutoff]
        for folder in due:
            files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != META)
            self.stdout.write(f"  {folder.parent.name}/{folder.name}：{'、'.join(files)}")
            if not dry_run:
                _purge(folder, files, days)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {len(due)} 次上传的原始文件（保留 {days} 天）。")


def _upload_folders():
    root = Path(settings.MEDIA_ROOT)
    for area in AREAS:
        if (root / area).is_dir():
            for folder in sorted((root / area).iterdir()):
                if (
                    folder.is_dir()
                    and not _already_purged(folder)
                    and any(p.is_file() and p.name != META for p in folder.iterdir())
                ):
                    yield folder


def _already_purged(folder: Path) -> bool:
    return "purged" in _meta(folder)


def _meta(folder: Path) -> dict:
    try:
        return json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _last_change(folder: Path) -> float:
    """The newest file's time: a preview confirmed later counts from the confirmation."""
    return max(p.stat().st_mtime for p in folder.iterdir())


def _purge(folder: Path, files: list[str], days: int) -> None:
    note = f"原始文件已超过保留期限（{days}天），按 DOUDI_UPLOAD_RETENTION_DAYS 删除；导入记录保留"
    for name in files:
        (folder / name).unlink(missing_ok=True)
    meta = _meta(folder)
    meta["purged"] = {"at": timezone.now().isoformat(timespec="seconds"), "files": files, "note": note}
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    AuditEntry.objects.create(
        action="delete",
        entity="上传文件",
        entity_key=f"{folder.parent.name}/{folder.name}"[:64],
        changes={"文件": [files, None]},
        reason=note[:200],
    )
