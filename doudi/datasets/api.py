"""Department data exchange API (django-ninja), mounted at /api/datasets/.

    POST /api/datasets/{kind}   multipart: file, as_of (YYYY-MM-DD), dry_run (optional)
    GET  /api/datasets/         the imports the caller may see, newest first

Authentication: `Authorization: Bearer <key>` with a key from `doudi dataset_token
USERNAME`, or the web session (with its CSRF token). Either way the caller needs the
upload_dataset permission, and the import is scoped to and audited as that user.
Answers: 201 imported, 200 unchanged or preview, 400 rejected (errors in Chinese),
401 no or bad credentials, 403 no permission, 413 file over DOUDI_MAX_API_UPLOAD_BYTES.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from ninja import File, Form, NinjaAPI, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer, django_auth

from doudi.core.roles import UPLOAD_DATASET, can
from doudi.core.tabular.errors import ImportRejected
from doudi.datasets import selectors
from doudi.datasets.models import ApiToken
from doudi.datasets.services import dataset_import


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, label: str = "") -> str:
    """A new key for `user`; only its digest is kept."""
    key = "dd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, label=label[:60], key_sha256=key_digest(key))
    return key


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        record = (
            ApiToken.objects.select_related("user")
            .filter(key_sha256=key_digest(token), revoked=False, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


api = NinjaAPI(title="兜底 部门数据接口", version="1", urls_namespace="datasets_api", auth=[TokenAuth(), django_auth])


class Rejected(Schema):
    errors: list[str]


class Denied(Schema):
    detail: str


@api.post("/{kind}", response={201: dict, 200: dict, 400: Rejected, 403: Denied, 413: Denied}, summary="报送一份部门数据")
def post_dataset(request, kind: str, file: File[UploadedFile], as_of: Form[str], dry_run: Form[bool] = False):
    user = request.auth
    if not can(user, UPLOAD_DATASET):
        return Status(403, {"detail": "您的角色无权报送部门数据"})
    limit = settings.DOUDI_MAX_API_UPLOAD_BYTES  # larger than the web page's: the API is for big files
    if file.size > limit:
        return Status(
            413,
            {
                "detail": f"文件 {file.size / 2**20:.1f} MB，超过接口上传上限 {limit / 2**20:.0f} MB；"
                "请拆分文件，或由管理员用命令 doudi import dataset 导入"
            },
        )
    name = Path(file.name or "upload.csv").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            result = dataset_import(kind=kind, path=path, as_of=as_of, user=user, channel="api", dry_run=dry_run, file_name=name)
        except ImportRejected as rejected:
            return Status(400, {"errors": [str(e) for e in rejected.errors]})
    return Status(201 if result["status"] == "imported" else 200, result)


@api.get("/", response={200: list[dict], 403: Denied}, summary="报送记录")
def list_imports(request):
    if not can(request.auth, UPLOAD_DATASET):
        return Status(403, {"detail": "您的角色无权查看部门数据报送记录"})
    records = selectors.imports_for(request.auth).order_by("-at", "-id")[:200]
    return Status(
        200,
        [
            {
                "import_id": r.pk,
                "kind": r.kind,
                "version": r.version,
                "as_of": r.as_of.isoformat(),
                "file_name": r.file_name,
                "rows": r.rows,
                "rejected": r.rejected,
                "at": r.at.isoformat(),
            }
            for r in records
        ],
    )
