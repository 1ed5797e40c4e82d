"""Evidence files of a rectification or a task (整改佐证: photos, scanned papers) through
core.uploads — what a file is by its first bytes, the size limit, a neutral stored name — and
Django's storage API (the local MEDIA folder or an S3-compatible store). Served only through
the scoped view (views_supervision.evidence), never from a guessable path."""

from __future__ import annotations

from django.http import Http404

from doudi.core import uploads
from doudi.core.workflow import WorkflowError
from doudi.reports.models import Finding, FindingEvidence, FindingTransition

MAX_FILES = 10


def check(files) -> list[tuple[object, str, str]]:
    """[(upload, content type, suffix)] for every file, or WorkflowError (Chinese) naming the
    first one refused — before anything is stored."""
    files = [f for f in (files or ()) if f]
    if len(files) > MAX_FILES:
        raise WorkflowError(f"一次最多上传 {MAX_FILES} 份佐证材料")
    out = []
    for upload in files:
        try:
            content_type, suffix = uploads.sniff(
                upload, allowed=uploads.EVIDENCE, max_bytes=uploads.EVIDENCE_MAX_BYTES, what="佐证材料"
            )
        except uploads.UploadRefused as exc:
            raise WorkflowError(str(exc)) from None
        out.append((upload, content_type, suffix))
    return out


def store(finding: Finding, transition: FindingTransition | None, user, checked) -> list[FindingEvidence]:
    """Stores checked files (call inside the transaction of the step they come with)."""
    rows = []
    for upload, content_type, suffix in checked:
        name = uploads.keep_name(upload, suffix)
        rows.append(
            FindingEvidence.objects.create(
                finding=finding,
                transition=transition,
                file=upload,
                name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=user,
            )
        )
    return rows


def evidence_get(finding: Finding, pk) -> FindingEvidence:
    """A file of a finding already fetched through the scoped selector (supervision.finding_get)."""
    found = FindingEvidence.objects.filter(finding=finding, pk=pk).first()
    if found is None:
        raise Http404("没有找到该佐证材料")
    return found
