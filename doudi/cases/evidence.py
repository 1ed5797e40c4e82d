"""Evidence files of a case (证明材料, 入户调查照片, 告知承诺书) through Django's storage API:
the default local MEDIA folder, or an S3-compatible store set in STORAGES. A file is
accepted by what its first bytes say it is (JPEG, PNG, PDF), never by its name, and is
served only through the scoped document view under a random stored name."""

from __future__ import annotations

from django.db import transaction

from doudi.cases.models import Case, CaseDocument
from doudi.core import uploads
from doudi.core.roles import RECEIVE_CASES, can
from doudi.core.scoping import in_scope
from doudi.core.workflow import WorkflowError

MAX_BYTES = uploads.EVIDENCE_MAX_BYTES


def file_kind(upload) -> tuple[str, str]:
    """(content type, suffix) by the file's magic bytes; WorkflowError (Chinese) otherwise."""
    try:
        return uploads.sniff(upload, allowed=uploads.EVIDENCE, max_bytes=MAX_BYTES)
    except uploads.UploadRefused as exc:
        raise WorkflowError(str(exc)) from None


def document_add(*, case: Case, user, upload, title: str = "") -> CaseDocument:
    if not can(user, RECEIVE_CASES) or not in_scope(user, case.region_id):
        raise PermissionError("您的角色或管辖范围无权为该案件上传材料")
    if not case.is_open:
        raise WorkflowError("案件已办结，不能再上传材料")
    content_type, suffix = file_kind(upload)
    original = uploads.keep_name(upload, suffix)  # the stored name is random (models._document_path)
    with transaction.atomic():
        return CaseDocument.objects.create(
            case=case,
            file=upload,
            name=original,
            content_type=content_type,
            size=upload.size,
            title=title.strip()[:60],
            uploaded_by=user,
        )
