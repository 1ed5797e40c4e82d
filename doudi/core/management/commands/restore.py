"""`doudi restore FILE`: puts back an archive written by `doudi backup` (backup.py).

Refuses (exit 2, a Chinese message, nothing changed): an archive that is not ours, one
from another database engine, one whose migration state is newer than this program, and
a database that already holds data unless --force. The web server and `doudi worker`
must be stopped while it runs (docs/deploy.md).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from doudi.core.management.base import DoudiCommand
from doudi.core.management.commands.backup import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    engine,
    file_areas,
    pg_args,
    pg_tool,
    row_counts,
    run_tool,
    table_names,
)

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows every migrated database has before anyone uses it.
STRUCTURAL_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


def refuse(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError, AttributeError):
        raise refuse("这不是兜底系统的备份文件（没有可读的 manifest.json）") from None
    if manifest.get("format") != FORMAT:
        raise refuse("这不是兜底系统的备份文件（manifest.json 的格式标记不对）")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise refuse(
            f"备份文件的格式（第 {manifest.get('format_version')} 版）比本程序新：请用 {manifest.get('doudi_version')} 或更新版本的兜底恢复"
        )
    return manifest


def newer_migrations(manifest: dict, alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations the archive's database had that this program does not know."""
    known = set(MigrationLoader(None, ignore_no_migrations=True, load=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]


def database_in_use(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tables holding rows beyond what `doudi migrate` itself writes."""
    try:
        counts = row_counts(alias)
    except Exception:  # noqa: BLE001 - no tables at all
        return []
    return [f"{table}（{count} 行）" for table, count in counts.items() if count and table not in STRUCTURAL_TABLES]


def safe_members(tar: tarfile.TarFile, manifest: dict) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.name in (MANIFEST, manifest.get("database")):
            continue
        if not (len(parts) >= 3 and parts[0] == "files" and parts[1] in file_areas() and ".." not in parts and member.isfile()):
            raise refuse(f"备份文件里有不认识的内容：{member.name}")
        members.append(member)
    return members


def restore_sqlite(path: Path, alias: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[alias]
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        # Into the configured database through its own connection: the -wal and -shm files
        # stay consistent, and the tests' in-memory database works the same way.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def restore_postgresql(path: Path, alias: str = DEFAULT_DB_ALIAS) -> None:
    connections[alias].close()
    args, env = pg_args(alias)
    run_tool(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env,
        "恢复数据库",
    )


def restore_files(tar: tarfile.TarFile, members: list[tarfile.TarInfo], areas_in_archive: set[str], staging: Path) -> int:
    """Each area the archive holds replaces the folder on disk as a whole."""
    tar.extractall(staging, members=members, filter="data")
    moved = 0
    for area, root in file_areas().items():
        if area not in areas_in_archive:
            continue
        new = staging / "files" / area
        if not new.is_dir():
            new.mkdir(parents=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        old = root.with_name(f"{root.name}.before-restore-{int(time.time())}")
        if root.exists():
            root.rename(old)
        shutil.move(str(new), str(root))
        shutil.rmtree(old, ignore_errors=True)
        moved += sum(1 for p in root.rglob("*") if p.is_file())
    return moved


def restore_archive(path: Path, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS, stdout=None) -> dict:
    path = Path(path)
    if not path.is_file():
        raise refuse(f"找不到备份文件：{path}")
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise refuse(f"无法读取备份文件 {path}：{exc}") from None
    with tar:
        manifest = read_manifest(tar)
        here = engine(alias)
        if manifest.get("engine") != here:
            theirs = ENGINE_NAMES.get(manifest.get("engine"), manifest.get("engine"))
            raise refuse(
                f"备份来自 {theirs} 数据库，当前配置的是 {ENGINE_NAMES[here]} 数据库，不能直接恢复："
                "请在同类数据库上恢复，或改 DATABASE_URL 后再试"
            )
        newer = newer_migrations(manifest, alias)
        if newer:
            raise refuse(
                f"备份来自更新版本的兜底（数据库结构含本程序没有的迁移：{'、'.join(newer[:5])}"
                f"{'等' if len(newer) > 5 else ''}）：请先升级兜底到 {manifest.get('doudi_version')} 或更新版本再恢复"
            )
        in_use = database_in_use(alias)
        if in_use and not force:
            raise refuse(
                f"当前数据库已有数据（{'、'.join(in_use[:5])}{'等' if len(in_use) > 5 else ''}），恢复会全部覆盖。"
                "确认要覆盖请加 --force（建议先用 doudi backup 备份当前数据）"
            )
        members = safe_members(tar, manifest)
        # Areas the archive recorded, even empty ones, are put back as they were.
        areas = set(manifest.get("file_areas", [])) & set(file_areas())
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".doudi-restore-", dir=data_dir) as work:
            work = Path(work)
            database = tar.getmember(manifest["database"])
            tar.extractall(work, members=[database], filter="data")
            if here == "sqlite":
                restore_sqlite(work / database.name, alias)
            else:
                restore_postgresql(work / database.name, alias)
            files = restore_files(tar, members, areas, work)
    counts = row_counts(alias)
    expected = manifest.get("tables", {})
    wrong = [t for t, n in expected.items() if counts.get(t) != n]
    if wrong:
        raise CommandError(f"恢复后行数与备份时不符：{'、'.join(wrong[:5])}，请检查数据库后重新恢复")
    return {"manifest": manifest, "rows": sum(counts.values()), "tables": len(counts), "files": files}


class Command(DoudiCommand):
    help = "从 doudi backup 的归档文件恢复数据库和上传的文件（先停止网页服务和后台任务进程）"
    needs_database = False  # an empty, unmigrated database is what a restore usually starts from

    def add_arguments(self, parser):
        parser.add_argument("file", help="doudi backup 写出的归档文件")
        parser.add_argument("--force", action="store_true", help="当前数据库已有数据时也覆盖")

    def handle(self, *args, file, force, **options):
        try:
            connections[DEFAULT_DB_ALIAS].ensure_connection()
        except Exception as exc:  # noqa: BLE001 - unreachable server, bad URL
            raise CommandError(f"无法连接数据库：{exc}") from None
        summary = restore_archive(Path(file), force=force)
        manifest = summary["manifest"]
        self.stdout.write(
            f"已恢复 {file}（{manifest['created_at']} 备份，兜底 {manifest['doudi_version']}）："
            f"{summary['tables']} 张表 {summary['rows']:,} 行，文件 {summary['files']} 个"
        )
        pending = _pending_migrations()
        if pending:
            self.stdout.write(f"备份的数据库结构比本程序旧（差 {pending} 个迁移）：请运行 doudi migrate")


def _pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


__all__ = ["restore_archive", "table_names"]
