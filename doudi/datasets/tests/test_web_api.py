import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, person_id
from doudi.core.models import AuditEntry
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.datasets.api import token_create
from doudi.datasets.models import DatasetImport

DEATH_CSV = (
    "身份证号,姓名,死亡日期\n"
    f"{person_id(COUNTY, '19500312', 1)},张三,2024-05-01\n"
    "1405211950031,李四,2024-06-01\n"
    f"{person_id(COUNTY, '19451111', 21)},赵六,五月\n"
).encode("utf-8")


def _file(content=DEATH_CSV, name="死亡.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _upload(client, kind="death", as_of="2024-12-31", content=DEATH_CSV):
    return client.post("/datasets/upload/", {"kind": kind, "as_of": as_of, "file": _file(content)})


@pytest.mark.django_db
def test_upload_preview_confirm_and_issue_export(client, users):
    client.force_login(users["uploader"])
    preview = client.get(_upload(client)["Location"])
    text = preview.content.decode()
    assert "接收 2 行，拒收 1 行" in text and "应为日期" in text and "将按姓名、出生日期和区划比对" in text
    assert DatasetImport.objects.count() == 0
    done = client.post(preview.wsgi_request.path)
    record = DatasetImport.objects.get()
    assert done["Location"] == f"/datasets/{record.pk}/" and record.channel == "web" and record.region_code == COUNTY
    assert client.post(preview.wsgi_request.path).status_code == 302 and DatasetImport.objects.count() == 1
    detail = client.get(f"/datasets/{record.pk}/").content.decode()
    assert "死亡人员 第1版" in detail and "应为日期" in detail and "140521***0031" in detail
    sheet = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(client.get(f"/datasets/{record.pk}/?export=xlsx").streaming_content))
    )
    rows = sheet.get_sheet_by_index(0).to_python()
    assert rows[1] == ["行号", "列", "值", "问题", "处理"] and len(rows) == 4
    listing = client.get("/datasets/?export=xlsx")
    assert listing.status_code == 200
    assert "部门数据报送" in client.get("/").content.decode()


@pytest.mark.django_db
def test_wrong_kind_preview_cannot_be_confirmed(client, users):
    client.force_login(users["uploader"])
    preview = client.get(_upload(client, kind="vehicle")["Location"])
    assert "这是「死亡人员」（death" in preview.content.decode() and "不是「机动车登记」" in preview.content.decode()
    client.post(preview.wsgi_request.path)
    assert DatasetImport.objects.count() == 0


@pytest.mark.django_db
def test_scoped_and_permission_checked(client, users):
    uploader_a = user_create(username="up_a", password="p", role=Role.DEPT_UPLOADER, region_code=TOWNSHIP_A)
    uploader_b = user_create(username="up_b", password="p", role=Role.DEPT_UPLOADER, region_code=TOWNSHIP_B)
    client.force_login(uploader_a)
    token_url = _upload(client)["Location"]
    client.post(token_url)
    record = DatasetImport.objects.get()
    assert record.region_code == TOWNSHIP_A
    client.force_login(uploader_b)
    assert client.get(f"/datasets/{record.pk}/").status_code == 404
    assert client.get(token_url).status_code == 404
    assert "共 0 次导入" in client.get("/datasets/").content.decode()
    client.force_login(users["uploader"])  # county level: sees the township's imports
    assert client.get(f"/datasets/{record.pk}/").status_code == 200
    client.force_login(users["clerk_a"])
    assert client.get("/datasets/").status_code == 403 and client.get("/datasets/upload/").status_code == 403


@pytest.mark.django_db
def test_api_with_token(client, users):
    key = token_create(user=users["uploader"], label="县公安局")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    created = client.post("/api/datasets/death", {"as_of": "2024-12-31", "file": _file()}, **auth)
    assert created.status_code == 201 and created.json()["rows"] == 2 and created.json()["rejected"] == 1
    again = client.post("/api/datasets/death", {"as_of": "2024-12-31", "file": _file()}, **auth)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    bad = client.post("/api/datasets/deaths", {"as_of": "2024-12-31", "file": _file()}, **auth)
    assert bad.status_code == 400 and "未知的数据类型「deaths」" in bad.json()["errors"][0]
    record = DatasetImport.objects.get()
    assert record.channel == "api" and record.user == users["uploader"]
    assert AuditEntry.objects.filter(entity="dataset", user=users["uploader"]).count() == 1
    assert client.get("/api/datasets/", **auth).json()[0]["import_id"] == record.pk
    assert (
        client.post("/api/datasets/death", {"as_of": "2024-12-31", "file": _file()}, HTTP_AUTHORIZATION="Bearer nope").status_code
        == 401
    )
    clerk = token_create(user=users["clerk_a"])
    assert (
        client.post(
            "/api/datasets/death", {"as_of": "2024-12-31", "file": _file()}, HTTP_AUTHORIZATION=f"Bearer {clerk}"
        ).status_code
        == 403
    )
    client.force_login(users["admin"])  # the web session works too
    assert client.post("/api/datasets/vehicle", {"as_of": "2024-12-31", "file": _file()}).status_code == 400
