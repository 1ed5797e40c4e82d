"""What an uploaded file really is, by its first bytes, never by its name: photos on a visit or
a warning's check, a case's evidence, an institution's plan. One check for every upload, so the
kinds, the size limit and the Chinese messages do not drift apart. Framework-free."""

from __future__ import annotations

from pathlib import Path

JPEG = ("image/jpeg", ".jpg")
PNG = ("image/png", ".png")
PDF = ("application/pdf", ".pdf")
MAGIC = {b"\xff\xd8\xff": JPEG, b"\x89PNG\r\n\x1a\n": PNG, b"%PDF-": PDF}
IMAGES = (JPEG, PNG)


class UploadRefused(ValueError):
    """The file may not be stored; the message names it (Chinese)."""


def sniff(upload, *, allowed=IMAGES, max_bytes: int = 8 * 1024 * 1024, what: str = "文件") -> tuple[str, str]:
    """(content type, suffix) of `upload` (a Django UploadedFile or anything with name, size,
    read and seek) when it is one of `allowed` and not larger than `max_bytes`; UploadRefused otherwise."""
    name = Path(getattr(upload, "name", "") or what).name
    size = getattr(upload, "size", 0) or 0
    if size > max_bytes:
        raise UploadRefused(f"{what}「{name}」超过 {max_bytes // (1024 * 1024)}MB，请压缩后再上传")
    if size == 0:
        raise UploadRefused(f"{what}「{name}」是空文件")
    head = upload.read(8)
    upload.seek(0)
    kind = next((k for magic, k in MAGIC.items() if head.startswith(magic)), None)
    if kind is None or kind not in allowed:
        raise UploadRefused(f"{what}「{name}」不是 {_kinds(allowed)}，不能上传")
    return kind


def _kinds(allowed) -> str:
    """ "JPEG 或 PNG 图片", "JPEG、PNG 图片或 PDF 文件", "PDF 文件": what the clerk may upload."""
    images = [label for kind, label in ((JPEG, "JPEG"), (PNG, "PNG")) if kind in allowed]
    text = f"{'、'.join(images) if PDF in allowed else ' 或 '.join(images)} 图片" if images else ""
    if PDF in allowed:
        text = f"{text}或 PDF 文件" if text else "PDF 文件"
    return text
