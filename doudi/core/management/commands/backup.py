"""`doudi backup FILE`: the whole database and the uploaded files in one archive (docs/interfaces.md §1).

The archive is a tar.gz holding
  manifest.json       doudi version, database engine, applied migrations, time, row counts
  database.sqlite3    SQLite: a copy made with sqlite3's backup API (consistent while the
                      web server and workers keep writing)
  database.dump       PostgreSQL: `pg_dump -Fc` of the configured database
  files/<area>/...    the folders of DOUDI_DATA_DIR that database rows point to (FILE_AREAS)
`doudi restore FILE` (restore.py) puts it back.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from doudi import __version__
from doudi.core.management.base import DoudiCommand

FORMAT = "doudi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def file_areas() -> dict[str, Path]:
    """Folders whose files the database refers to: uploads (imports, department data,
    case documents, visit photos, signatures: MEDIA_ROOT), department data stored as
    Parquet (DATA_DIR/datasets) and evaluation results (DATA_DIR/evaluations). Static files,
    logs and the demo's generated CSVs are not data and are left out."""
    data = Path(settings.DATA_DIR)
    return {"media": Path(settings.MEDIA_ROOT), "datasets": data / "datasets", "evaluations": data / "evaluations"}


def engine(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"不支持备份 {vendor} 数据库：只支持 SQLite 和 PostgreSQL")
    return vendor


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def table_names(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return sorted(name for name in connection.introspection.table_names(cursor) if not name.startswith("sqlite_"))


def row_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in table_names(alias):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: DOUDI_PG_BIN (a folder), else the newest Debian install, else PATH."""
    folder = os.environ.get("DOUDI_PG_BIN", "").strip()
    candidates = [os.path.join(folder, name)] if folder else []
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if not found:
        raise CommandError(f"找不到 PostgreSQL 的 {name} 程序：请安装 postgresql-client，或用 DOUDI_PG_BIN 指定其所在文件夹")
    return found


def pg_args(alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (the password goes in PGPASSWORD, never argv)."""
    config = connections[alias].settings_dict
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            args += [flag, str(config[key])]
    args += ["--dbname", config["NAME"]]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return args, env


def run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise CommandError(
            f"{what}失败（{os.path.basename(command[0])} 退出状态 {done.returncode}）：{done.stderr.strip()[-800:]}"
        )


def dump_database(folder: Path, alias: str = DEFAULT_DB_ALIAS) -> tuple[str, dict[str, int], list[list[str]]]:
    """Writes the database into `folder`; returns the archive member name, the row count
    of every table and the applied migrations, all of the same snapshot (the web server
    and workers may keep writing meanwhile)."""
    connection = connections[alias]
    if engine(alias) == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The Django connection's own handle: works for a file and for the tests'
            # in-memory database; the backup API copies a consistent snapshot page by page.
            connection.connection.backup(destination)
            tables = [
                r[0]
                for r in destination.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts = {t: destination.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
            migrations = [list(r) for r in destination.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
        finally:
            destination.close()
        return target.name, counts, migrations
    target = folder / "database.dump"
    args, env = pg_args(alias)
    # pg_dump reads the snapshot this transaction exported: the counts are of what it dumps.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts, migrations = row_counts(alias), applied_migrations(alias)
        run_tool(
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(target), *args], env, "导出数据库"
        )
    return target.name, counts, migrations


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(path: Path, *, with_files: bool = True, alias: str = DEFAULT_DB_ALIAS) -> dict:
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "doudi_version": __version__,
        "engine": engine(alias),
        "created_at": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "file_areas": sorted(file_areas()) if with_files else [],
        "files": {},
    }
    with tempfile.TemporaryDirectory(prefix="doudi-backup-", dir=path.parent) as work:
        work = Path(work)
        manifest["database"], manifest["tables"], manifest["migrations"] = dump_database(work, alias)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            for area, root in file_areas().items() if with_files else ():
                if not root.is_dir():
                    continue
                for file in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                    relative = file.relative_to(root).as_posix()
                    manifest["files"][f"{area}/{relative}"] = {"size": file.stat().st_size, "sha256": sha256(file)}
                    tar.add(file, arcname=f"files/{area}/{relative}", recursive=False)
            tar.add(work / manifest["database"], arcname=manifest["database"])
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)  # personal data of a whole county
        os.replace(partial, path)
    return manifest


class Command(DoudiCommand):
    help = "把整个数据库和上传的文件备份到一个归档文件（tar.gz）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件路径，如 /var/backups/doudi/2026-05-01.tar.gz")
        parser.add_argument("--no-files", action="store_true", help="只备份数据库，不含上传的文件")

    def handle(self, *args, file, no_files, **options):
        manifest = write_archive(Path(file), with_files=not no_files)
        rows = sum(manifest["tables"].values())
        size = Path(file).stat().st_size
        self.stdout.write(
            f"已备份到 {file}：{manifest['engine']} 数据库 {len(manifest['tables'])} 张表 {rows:,} 行，"
            f"文件 {len(manifest['files'])} 个，归档 {size / 1048576:.1f} MB"
        )
