"""Uploads: names too long for the file system are shortened instead of an error 500;
source files past the retention period are deleted by `doudi purge_uploads`, with a note
(issue 12, A11)."""

import json
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from doudi.core.middleware import MAX_NAME_BYTES, short_name
from doudi.core.models import AuditEntry
from doudi.datasets.api import token_create

LONG = "二〇二四年十二月沁水县公安局户籍注销人员死亡数据报送" * 8  # 208 characters, 624 bytes
CSV = "身份证号,姓名,死亡日期\n140521195003120019,张三,2024-05-01\n".encode("utf-8")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"


def test_short_name_keeps_extension_and_whole_characters():
    name = short_name(LONG + ".csv")
    assert name.endswith(".csv") and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name[:-4] == LONG[: len(name) - 4]
    assert short_name("C:\\用户\\桌面\\死亡.csv") == "死亡.csv" and short_name("a.csv") == "a.csv"
    assert len(short_name("长" * 300).encode("utf-8")) <= MAX_NAME_BYTES


@pytest.mark.django_db
def test_dataset_upload_with_a_very_long_name(client, users, settings):
    client.force_login(users["uploader"])
    response = client.post(
        "/datasets/upload/", {"kind": "death", "as_of": "2024-12-31", "file": SimpleUploadedFile(LONG + ".csv", CSV, "text/csv")}
    )
    assert response.status_code == 302, response.status_code
    stored = [p for p in (settings.MEDIA_ROOT / "dataset_uploads").rglob("*.csv")]
    assert len(stored) == 1 and len(stored[0].name.encode("utf-8")) <= MAX_NAME_BYTES
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_registry_upload_with_a_very_long_name(client, users):
    client.force_login(users["clerk_a"])
    response = client.post("/import/", {"files": SimpleUploadedFile(LONG + ".xlsx", b"not a workbook")})
    assert response.status_code in (302, 400), response.status_code


@pytest.mark.django_db
def test_api_upload_with_a_very_long_name(client, users):
    key = token_create(user=users["uploader"], label="县公安局")
    response = client.post(
        "/api/datasets/death",
        {"as_of": "2024-12-31", "file": SimpleUploadedFile(LONG + ".csv", CSV)},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code in (200, 201, 400), response.status_code


def upload_folder(settings, area, token, days_old, name="台账.xlsx"):
    folder = settings.MEDIA_ROOT / area / token
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b"data")
    (folder / "meta.json").write_text(json.dumps({"owner": 1, "file": name}, ensure_ascii=False), encoding="utf-8")
    when = time.time() - days_old * 86400
    for path in folder.iterdir():
        os.utime(path, (when, when))
    return folder


@pytest.mark.django_db
def test_purge_uploads_deletes_old_source_files_and_keeps_a_note(settings, capsys):
    settings.DOUDI_UPLOAD_RETENTION_DAYS = 180
    old = upload_folder(settings, "imports", "a" * 32, 200)
    old_dataset = upload_folder(settings, "dataset_uploads", "b" * 32, 365, name="死亡.csv")
    recent = upload_folder(settings, "imports", "c" * 32, 10)
    call_command("purge_uploads")
    assert [p.name for p in old.iterdir()] == ["meta.json"] and [p.name for p in old_dataset.iterdir()] == ["meta.json"]
    assert sorted(p.name for p in recent.iterdir()) == ["meta.json", "台账.xlsx"]
    note = json.loads((old / "meta.json").read_text(encoding="utf-8"))["purged"]
    assert "180" in note["note"] and note["files"] == ["台账.xlsx"]
    entries = AuditEntry.objects.filter(entity="上传文件")
    assert entries.count() == 2 and all("180" in e.reason for e in entries)
    assert "已删除 2 次上传" in capsys.readouterr().out
    call_command("purge_uploads")  # nothing more to do, nothing recorded twice
    assert AuditEntry.objects.filter(entity="上传文件").count() == 2


@pytest.mark.django_db
def test_purge_uploads_dry_run_and_days_option(settings, capsys):
    old = upload_folder(settings, "imports", "d" * 32, 40)
    call_command("purge_uploads", "--days", "30", "--dry-run")
    assert len(list(old.iterdir())) == 2 and "将删除 1 次上传" in capsys.readouterr().out
    call_command("purge_uploads", "--days", "30")
    assert [p.name for p in old.iterdir()] == ["meta.json"]


@pytest.mark.django_db
def test_purge_uploads_with_retention_off(settings):
    settings.DOUDI_UPLOAD_RETENTION_DAYS = 0
    old = upload_folder(settings, "imports", "e" * 32, 4000)
    with pytest.raises(CommandError, match="DOUDI_UPLOAD_RETENTION_DAYS"):
        call_command("purge_uploads")
    assert len(list(old.iterdir())) == 2


@pytest.mark.django_db
def test_api_refuses_a_file_over_its_limit(client, users, settings):
    settings.DOUDI_MAX_API_UPLOAD_BYTES = 20
    key = token_create(user=users["uploader"], label="县公安局")
    response = client.post(
        "/api/datasets/death",
        {"as_of": "2024-12-31", "file": SimpleUploadedFile("死亡.csv", CSV)},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 413 and "超过接口上传上限" in response.json()["detail"]
    settings.DOUDI_MAX_API_UPLOAD_BYTES = 10 * 2**20
    response = client.post(
        "/api/datasets/death",
        {"as_of": "2024-12-31", "file": SimpleUploadedFile("死亡.csv", CSV)},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code in (200, 201, 400)
