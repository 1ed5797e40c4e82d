"""One check of what an upload really is: by its first bytes, within a size limit."""

import io

import pytest

from doudi.core import uploads


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


@pytest.mark.parametrize(
    ("data", "allowed", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", uploads.IMAGES, uploads.JPEG),
        (b"\x89PNG\r\n\x1a\nrest", uploads.IMAGES, uploads.PNG),
        (b"%PDF-1.7 rest", (uploads.PDF,), uploads.PDF),
    ],
)
def test_kinds_by_their_bytes(data, allowed, expected):
    upload = Upload(data, "whatever.txt")
    assert uploads.sniff(upload, allowed=allowed) == expected and upload.tell() == 0


@pytest.mark.parametrize(
    ("data", "name", "allowed", "message"),
    [
        (b"%PDF-1.7", "a.jpg", uploads.IMAGES, "照片「a.jpg」不是 JPEG 或 PNG 图片"),
        (b"GIF89a..", "b.png", (uploads.JPEG, uploads.PNG, uploads.PDF), "不是 JPEG、PNG 图片或 PDF 文件"),
        (b"", "c.png", uploads.IMAGES, "是空文件"),
        (b"\xff\xd8\xff" + b"0" * 2048, "d.jpg", uploads.IMAGES, "超过 0MB"),
    ],
)
def test_refusals_name_the_file(data, name, allowed, message):
    with pytest.raises(uploads.UploadRefused, match=message):
        uploads.sniff(Upload(data, name), allowed=allowed, max_bytes=1024, what="照片")


def test_keep_name_and_stored_name_hide_the_original():
    upload = Upload(b"%PDF-1.4 x", "张三 身份证 140521.pdf")
    assert uploads.keep_name(upload, ".pdf") == "张三 身份证 140521.pdf" and upload.name == "upload.pdf"
    first, second = uploads.stored_name("reports/evidence", "upload.PDF"), uploads.stored_name("reports/evidence", "a.pdf")
    assert first.startswith("reports/evidence/") and first.endswith(".pdf") and first != second and "张三" not in first
