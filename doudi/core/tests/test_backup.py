"""`doudi backup` / `doudi restore` (issue 12 C2): a round trip gives back every table's rows
(count and checksum) and the uploaded files byte for byte, on SQLite and PostgreSQL; an
archive of another engine, of a newer migration state, or over a database in use without
--force is refused with a Chinese message and exit status 2."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from doudi.core.management.commands.backup import pg_tool, table_names
from doudi.core.models import Job, Region

FILES = {
    "media/imports/abc123/家庭.csv": "户编号,详细地址\nH1,东关村1号\n".encode("utf-8"),
    "media/care/photos/2026/05/走访.jpg": bytes(range(256)) * 40,
    "datasets/civil/1.parquet": b"PAR1" + b"\x00\xff" * 500 + b"PAR1",
    "evaluations/7.parquet": b"PAR1evaluation",
}


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    for name, content in FILES.items():
        path = settings.DATA_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return settings.DATA_DIR


def snapshot() -> dict[str, tuple[int, str]]:
    """Every table: (row count, sha256 of its rows in a fixed order)."""
    result = {}
    with connection.cursor() as cursor:
        for table in table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def files_on_disk(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] in ("media", "datasets", "evaluations")
    }


def needs_pg_tools():
    if connection.vendor == "postgresql":
        try:
            pg_tool("pg_dump"), pg_tool("pg_restore")
        except CommandError:
            pytest.skip("没有 pg_dump / pg_restore")


@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_back_every_table_and_every_file(users, data_dir, tmp_path):
    needs_pg_tools()
    Job.objects.create(kind="test", label="任务", target="x:y", params={"地区": "龙港镇", "n": 1}, created_by=users["staff"])
    before, files_before = snapshot(), files_on_disk(data_dir)
    assert before["core_user"][0] == len(users) and before["core_region"][0] == 8
    archive = tmp_path / "backup" / "doudi.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["engine"] == connection.vendor and manifest["doudi_version"]
    assert ["core", "0001_initial"] in manifest["migrations"] and manifest["tables"]["core_user"] == len(users)
    assert set(manifest["files"]) == set(FILES)

    # Everything changes after the backup: rows deleted, added and edited, files too.
    Job.objects.all().delete()
    Region.objects.filter(code="140521101201").update(name="改过的名字")
    Region.objects.create(code="140521102", name="新设镇", level="township", parent_id="140521")
    (data_dir / "media/imports/abc123/家庭.csv").write_bytes(b"changed")
    (data_dir / "evaluations/7.parquet").unlink()
    (data_dir / "media/imports/later.csv").write_bytes(b"uploaded after the backup")
    assert snapshot() != before

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive))
    assert refused.value.returncode == 2 and "已有数据" in str(refused.value) and "--force" in str(refused.value)

    call_command("restore", str(archive), "--force")
    assert snapshot() == before
    assert files_on_disk(data_dir) == files_before


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_needs_no_force(data_dir, tmp_path, regions):
    needs_pg_tools()
    before = snapshot()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), "--no-files")
    for level in ("village", "township", "county", "city", "province"):
        Region.objects.filter(level=level).delete()
    call_command("restore", str(archive))
    assert snapshot() == before
    assert files_on_disk(data_dir) == {k: v for k, v in FILES.items()}  # --no-files: files left alone


def rewrite_manifest(archive: Path, out: Path, **changes) -> Path:
    with tarfile.open(archive) as tar, tarfile.open(out, "w:gz") as new:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return out


@pytest.mark.django_db(transaction=True)  # a backup is never taken inside a transaction
def test_refuses_another_engine_and_a_newer_migration_state(data_dir, tmp_path):
    if connection.vendor == "postgresql":
        needs_pg_tools()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), "--no-files")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    cases = {
        "engine": (rewrite_manifest(archive, tmp_path / "e.tar.gz", engine=other), "数据库"),
        "newer": (
            rewrite_manifest(archive, tmp_path / "n.tar.gz", migrations=manifest["migrations"] + [["core", "9999_future"]]),
            "更新版本",
        ),
    }
    for name, (path, words) in cases.items():
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(path), "--force")
        assert refused.value.returncode == 2 and words in str(refused.value), name
    not_ours = tmp_path / "x.tar.gz"
    with tarfile.open(not_ours, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(not_ours), "--force")
    assert refused.value.returncode == 2 and "不是兜底系统的备份文件" in str(refused.value)
