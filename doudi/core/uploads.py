"""What an uploaded file really is, by its first bytes, never by its name: photos on a visit or
a warning's check, a case's evidence, an institution's plan. One check for every upload, so the
kinds, the size limit and the Chinese messages do not drift apart. Framework-free."""

from __future__ import annotations

import uuid
from pathlib import Path

JPEG = ("image/jpeg", ".jpg")
PNG = ("image/png", ".png")
PDF = ("application/pdf", ".pdf")
MAGIC = {b"\xff\xd8\xff": JPEG, b"\x89PNG\r\n\x1a\n": PNG, b"%PDF-": PDF}
IMAGES = (JPEG, PNG)
# Evidence (证明材料, 整改佐证): photos or scanned papers.
EVIDENCE = (JPEG, PNG, PDF)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


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


def keep_name(upload, suffix: str, limit: int = 120) -> str:
    """The name the user gave the file (to show, at most `limit` characters); the upload itself
    is renamed to a neutral name with only the sniffed `suffix`, so nothing of the person or the
    case reaches the storage path."""
    original = Path(getattr(upload, "name", "") or "文件").name[:limit]
    upload.name = "upload" + suffix
    return original


def stored_name(folder: str, filename: str) -> str:
    """A random storage name under `folder` keeping only the suffix (an `upload_to`'s body):
    the path cannot be guessed and is never served directly, only through a scoped view."""
    return f"{folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
