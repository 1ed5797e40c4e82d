"""Evidence files: accepted by magic bytes (JPEG, PNG, PDF) and size, stored under a random
name through the storage API, served only through the scoped view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doudi.cases import evidence, services
from doudi.cases.models import CaseDocument
from doudi.cases.tests.conftest import DAY, application
from doudi.core.workflow import WorkflowError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def case(register, users, today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return services.case_receive(user=users["clerk_a"], data=application(register["sun"]), today=DAY)


def test_upload_and_scoped_download(client, case, users):
    client.force_login(users["clerk_a"])
    upload = SimpleUploadedFile("收入证明.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("cases:document_upload", args=[case.number]), {"file": upload, "title": "收入证明"}, follow=True
    )
    assert "已上传「收入证明.pdf」" in response.content.decode()
    document = CaseDocument.objects.get()
    assert document.content_type == "application/pdf" and document.file.name.startswith("cases/")
    assert case.number not in document.file.name and "收入" not in document.file.name
    url = reverse("cases:document", args=[case.number, document.pk])
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf" and got["X-Content-Type-Options"] == "nosniff"
    client.force_login(users["clerk_b"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_not_an_image_or_pdf_refused(client, case, users):
    client.force_login(users["clerk_a"])
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = client.post(reverse("cases:document_upload", args=[case.number]), {"file": fake}, follow=True)
    assert "不是 JPEG、PNG 图片或 PDF 文件" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_size_limit(case, users, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_BYTES", 16)
    with pytest.raises(WorkflowError, match="超过"):
        evidence.document_add(case=case, user=users["clerk_a"], upload=SimpleUploadedFile("a.png", PNG))
    assert not CaseDocument.objects.exists()


def test_other_township_cannot_upload(client, case, users):
    client.force_login(users["clerk_b"])
    upload = SimpleUploadedFile("a.png", PNG)
    assert client.post(reverse("cases:document_upload", args=[case.number]), {"file": upload}).status_code == 404
    with pytest.raises(PermissionError):
        evidence.document_add(case=case, user=users["clerk_b"], upload=SimpleUploadedFile("a.png", PNG))
