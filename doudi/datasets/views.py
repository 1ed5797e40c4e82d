"""部门数据报送 pages: the list of imports, upload → preview (a dry run of the same
service) → confirm, an import's problem rows and their Excel download."""

import datetime as dt
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from doudi.core.exports import xlsx_response
from doudi.core.idnumber import mask
from doudi.core.permissions import require
from doudi.core.roles import UNMASK_ID, UPLOAD_DATASET, can
from doudi.core.tabular.errors import ImportRejected
from doudi.datasets import selectors
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import dataset_import

PAGE_SIZE = 50
LIST_HEADERS = [
    "数据类型",
    "版本",
    "截至日期",
    "文件名",
    "接收行数",
    "拒收行数",
    "身份证号无法规范化",
    "15位号码",
    "重复行",
    "报送人",
    "渠道",
    "导入时间",
]
ISSUE_HEADERS = ["行号", "列", "值", "问题", "处理"]
SORTS = {"-at": "-at", "kind": "kind", "-as_of": "-as_of"}


def _folder(token: str) -> Path:
    if not token.isalnum():
        raise Http404()
    return Path(settings.MEDIA_ROOT) / "dataset_uploads" / token


def _meta(request, token: str) -> dict:
    path = _folder(token) / "meta.json"
    if not path.exists():
        raise Http404("没有这次上传")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta["owner"] != request.user.pk:
        raise Http404("没有这次上传")
    return meta


def _save_meta(token: str, meta: dict) -> None:
    (_folder(token) / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


@require(UPLOAD_DATASET)
def import_list(request):
    kind, sort = request.GET.get("kind", ""), request.GET.get("sort", "-at")
    records = selectors.imports_for(request.user).order_by(SORTS.get(sort, "-at"), "-id")
    if kind in KINDS:
        records = records.filter(kind=kind)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                r.kind_label,
                r.version,
                r.as_of,
                r.file_name,
                r.rows,
                r.rejected,
                r.invalid_ids,
                r.legacy_ids,
                r.duplicates,
                r.user.display_name() if r.user else "命令行",
                r.get_channel_display(),
                f"{r.at:%Y-%m-%d %H:%M}",
            ]
            for r in records.iterator()
        )
        return xlsx_response("部门数据报送记录.xlsx", "部门数据报送记录", LIST_HEADERS, rows)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "datasets/import_list.html", {"page": page, "kinds": KINDS, "filters": {"kind": kind, "sort": sort}})


@require(UPLOAD_DATASET)
def upload(request):
    context = {"kinds": KINDS, "limit_mb": settings.DOUDI_MAX_IMPORT_BYTES // 2**20, "today": dt.date.today()}
    if request.method != "POST":
        return render(request, "datasets/upload.html", context)
    file, kind, as_of = request.FILES.get("file"), request.POST.get("kind", ""), request.POST.get("as_of", "")
    problem = _upload_problem(file, kind, as_of)
    if problem:
        messages.error(request, problem)
        return render(request, "datasets/upload.html", {**context, "chosen": kind, "as_of": as_of}, status=400)
    token = uuid.uuid4().hex
    folder = _folder(token)
    folder.mkdir(parents=True)
    target = folder / Path(file.name).name
    with target.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    meta = {
        "owner": request.user.pk,
        "file": target.name,
        "kind": kind,
        "as_of": as_of,
        "applied": None,
        "preview": _run(request.user, kind, target, as_of, dry_run=True),
    }
    _save_meta(token, meta)
    return redirect("dataset_preview", token=token)


def _upload_problem(file, kind: str, as_of: str) -> str:
    if kind not in KINDS:
        return "请选择数据类型"
    if not as_of:
        return "请填写数据截至日期"
    if file is None:
        return "请选择要上传的 .csv 或 .xlsx 文件"
    if file.size > settings.DOUDI_MAX_IMPORT_BYTES:
        return (
            f"文件 {file.size / 2**20:.1f} MB，超过网页上传上限 {settings.DOUDI_MAX_IMPORT_BYTES // 2**20} MB；"
            "请拆分文件、使用接口 POST /api/datasets/{kind}，或由管理员用命令 doudi import dataset 导入"
        )
    return ""


def _run(user, kind: str, path: Path, as_of: str, *, dry_run: bool) -> dict:
    try:
        return {
            "ok": True,
            **dataset_import(kind=kind, path=path, as_of=as_of, user=user, channel="web", dry_run=dry_run, file_name=path.name),
        }
    except ImportRejected as rejected:
        return {"ok": False, "errors": [str(e) for e in rejected.errors]}


@require(UPLOAD_DATASET)
def preview(request, token):
    meta = _meta(request, token)
    if request.method == "POST":
        if meta["applied"]:
            messages.info(request, "这个文件已经导入过，未重复导入。")
        elif not meta["preview"]["ok"]:
            messages.error(request, "文件不能导入，请修改后重新上传。")
        else:
            meta["applied"] = _run(request.user, meta["kind"], _folder(token) / meta["file"], meta["as_of"], dry_run=False)
            _save_meta(token, meta)
            applied = meta["applied"]
            if applied["ok"] and applied["status"] == "imported":
                messages.success(request, f"已导入「{applied['label']}」第{applied['version']}版。")
                return redirect("dataset_detail", pk=applied["import_id"])
            messages.info(request, applied.get("message") or "；".join(applied.get("errors", [])))
        return redirect("dataset_preview", token=token)
    return render(request, "datasets/preview.html", {"meta": meta, "token": token, "kind": KINDS[meta["kind"]]})


@require(UPLOAD_DATASET)
def detail(request, pk):
    record = selectors.import_for(request.user, pk)
    if record is None:
        raise Http404("没有这次导入")
    issues = selectors.issues_of(record)
    if request.GET.get("export") == "xlsx":
        rows = (
            [i.row_no, i.column, _shown(request.user, i), i.message, "已保留" if i.kept else "未接收"] for i in issues.iterator()
        )
        return xlsx_response(
            f"{record.kind_label}第{record.version}版问题行.xlsx", f"{record.kind_label}问题行", ISSUE_HEADERS, rows
        )
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [(i, _shown(request.user, i)) for i in page.object_list]
    return render(
        request, "datasets/detail.html", {"record": record, "page": page, "issues": shown, "kind": KINDS.get(record.kind)}
    )


def _shown(user, issue) -> str:
    """ID numbers in problem rows are personal data: masked unless the role may unmask."""
    if issue.column == "身份证号" and not can(user, UNMASK_ID):
        return mask(issue.value)
    return issue.value
