"""Web import: upload → preview with row-level errors → confirm. The preview is a dry
run of the same service the command line uses; confirming runs it for real once, refusing
rows changed since the preview. Also the pages that follow an import up: benefit requests
waiting for the county, and bank-account changes for finance (issue 12)."""

import json
import uuid
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core.exports import xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import IMPORT_REGISTRY, UNMASK_BANK, can
from doudi.core.tabular.errors import ImportRejected
from doudi.registry import selectors
from doudi.registry.importing.apply import STALE
from doudi.registry.models import PendingBenefitChange
from doudi.registry.services import pending_benefit_decide, registry_import

ERROR_HEADERS = ["文件", "工作表", "行号", "列", "值", "问题"]


def _folder(token: str) -> Path:
    if not token.isalnum():
        raise Http404()
    return Path(settings.MEDIA_ROOT) / "imports" / token


def _meta(request, token: str) -> dict:
    path = _folder(token) / "meta.json"
    if not path.exists():
        raise Http404("没有这次导入")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta["owner"] != request.user.pk:
        raise Http404("没有这次导入")
    return meta


def _save_meta(token: str, meta: dict) -> None:
    (_folder(token) / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _run(paths, user, dry_run: bool, expected_versions: dict | None = None) -> dict:
    try:
        return {
            "ok": True,
            "summary": registry_import(
                paths=paths,
                user=user,
                dry_run=dry_run,
                label="、".join(p.name for p in paths),
                expected_versions=expected_versions,
            ),
        }
    except ImportRejected as rejected:
        return {"ok": False, "total": rejected.total, "errors": [asdict(e) for e in rejected.errors]}


@require(IMPORT_REGISTRY)
def upload(request):
    if request.method != "POST":
        return render(request, "registry/import_upload.html", {"limit_mb": settings.DOUDI_MAX_IMPORT_BYTES // 2**20})
    files = request.FILES.getlist("files")
    problem = _upload_problem(files)
    if problem:
        messages.error(request, problem)
        return render(request, "registry/import_upload.html", {"limit_mb": settings.DOUDI_MAX_IMPORT_BYTES // 2**20}, status=400)
    token = uuid.uuid4().hex
    folder = _folder(token)
    folder.mkdir(parents=True)
    paths = []
    for upload_file in files:
        target = folder / Path(upload_file.name).name
        with target.open("wb") as out:
            for chunk in upload_file.chunks():
                out.write(chunk)
        paths.append(target)
    result = _run(paths, request.user, dry_run=True)
    # The versions seen are kept beside the preview, not shown: the confirmation compares them.
    versions = result.get("summary", {}).pop("versions", None)
    _save_meta(
        token,
        {"owner": request.user.pk, "files": [p.name for p in paths], "preview": result, "applied": None, "versions": versions},
    )
    return redirect("import_preview", token=token)


def _upload_problem(files) -> str:
    if not files:
        return "请选择要导入的文件：一个 .xlsx，或 家庭.csv、成员.csv、保障.csv 三个文件"
    size = sum(f.size for f in files)
    if size > settings.DOUDI_MAX_IMPORT_BYTES:
        return (
            f"文件共 {size / 2**20:.1f} MB，超过网页导入上限 {settings.DOUDI_MAX_IMPORT_BYTES // 2**20} MB；"
            "请拆分文件，或由管理员用命令 doudi import registry 导入"
        )
    names = [Path(f.name).name for f in files]
    if len(files) == 1 and names[0].lower().endswith(".xlsx"):
        return ""
    if sorted(names) != sorted(["家庭.csv", "成员.csv", "保障.csv"]):
        return f"收到的文件为 {'、'.join(names)}：应为一个 .xlsx，或 家庭.csv、成员.csv、保障.csv 三个文件"
    return ""


@require(IMPORT_REGISTRY)
def preview(request, token):
    meta = _meta(request, token)
    if request.method == "POST":
        if meta["applied"]:
            messages.info(request, "这批文件已经导入过，未重复写入。")
        elif not meta["preview"]["ok"]:
            messages.error(request, "文件有错误，不能导入。")
        elif meta.get("versions") is None:
            messages.error(request, "这次预览没有记录数据版本（系统升级前上传），请重新上传预览。")
        else:
            paths = [_folder(token) / name for name in meta["files"]]
            meta["applied"] = _run(paths, request.user, dry_run=False, expected_versions=meta["versions"])
            _save_meta(token, meta)
            if meta["applied"]["ok"]:
                messages.success(request, "导入完成。")
            else:
                messages.error(request, "导入时发现错误（数据可能已被他人修改），未写入任何数据。")
                stale = [f"第{e['row']}行：{e['message']}" for e in meta["applied"]["errors"] if STALE in e["message"]]
                if stale:
                    messages.error(request, "；".join(stale[:10]) + (f"；等共 {len(stale)} 行" if len(stale) > 10 else ""))
        return redirect("import_preview", token=token)
    return render(
        request,
        "registry/import_preview.html",
        {"meta": meta, "token": token, "may_see_accounts": can(request.user, UNMASK_BANK)},
    )


@require(IMPORT_REGISTRY)
def errors_xlsx(request, token):
    meta = _meta(request, token)
    result = meta["applied"] if meta["applied"] and not meta["applied"]["ok"] else meta["preview"]
    rows = [[e["file"], e["sheet"], e["row"] or "", e["column"], e["value"], e["message"]] for e in result.get("errors", [])]
    return xlsx_response("导入错误清单.xlsx", "导入错误清单", ERROR_HEADERS, rows)


@require(IMPORT_REGISTRY)
def pending_list(request):
    """Open requests first, then the last ones decided; the importing township sees its
    own requests waiting, only county roles get the buttons."""
    pending = selectors.pending_benefits_for(request.user)
    return render(
        request,
        "registry/import_pending.html",
        {
            "open": pending.filter(status=PendingBenefitChange.Status.PENDING).order_by("requested_at", "id")[:500],
            "decided": pending.exclude(status=PendingBenefitChange.Status.PENDING).order_by("-decided_at", "-id")[:50],
            "may_decide": PendingBenefitChange.may_decide(request.user),
        },
    )


@require(IMPORT_REGISTRY)
@require_POST
def pending_decide(request, pk):
    if not PendingBenefitChange.may_decide(request.user):
        raise PermissionDenied("只有县级民政部门可以确认或驳回乡镇导入的保障")
    pending = selectors.pending_benefit_get(request.user, pk)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        messages.error(request, "请选择确认或驳回。")
        return redirect("import_pending")
    try:
        pending_benefit_decide(
            user=request.user, pending=pending, confirm=decision == "confirm", note=request.POST.get("note", "").strip()
        )
    except ValueError as exc:
        messages.error(request, f"户 {pending.household.code} {pending.category_label}：{exc}")
    else:
        done = "已确认，保障即日生效" if decision == "confirm" else "已驳回"
        messages.success(request, f"户 {pending.household.code} {pending.category_label} {done}。")
    return redirect("import_pending")


@require(UNMASK_BANK)
def account_changes(request):
    return render(request, "registry/import_account_changes.html", {"rows": selectors.account_changes_for(request.user)})
