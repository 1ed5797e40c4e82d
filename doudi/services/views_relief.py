"""Pages for disaster relief (冬春救助, 受灾群众): the events (and the county's form to declare one),
one event with its affected households (add from the register or new, import a list, Excel with
ID numbers masked), its relief runs and the Spring Festival deadline; one household (losses,
payments, rent aid, referral to 临时救助, visits); the households not yet back home with their
last visit. Thin: reads through selectors_relief (another township's record is a 404), writes
through relief.py / relief_pay.py / relief_import.py (a refusal is a Chinese message)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.exports import export_response
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, DECLARE_DISASTER, HANDLE_RELIEF, VIEW_RELIEF, can
from doudi.core.tabular.errors import ImportRejected
from doudi.payments import params
from doudi.services import relief as svc
from doudi.services import relief_import, relief_pay, selectors
from doudi.services import selectors_relief as sel
from doudi.services.common import ServiceError
from doudi.services.models import NEEDS, Affected, Disaster

PAGE_SIZE = 50
STATUS = {"paid": "已到账", "pending": "已报送银行", "draft": "花名册审核中", "failed": "发放失败，待补发", "": "未发放"}
UPLOAD_LIMIT = 10 * 1024 * 1024


def _filters(request, *keys):
    return {k: request.GET.get(k, "").strip()[:40] for k in keys}


@require(VIEW_RELIEF)
def relief_list(request):
    today = timezone.localdate()
    events = list(sel.disasters_for(request.user).order_by("-on", "-pk")[:200])
    for event in events:
        event.progress = relief_pay.relief_progress(event, today)
    return render(
        request,
        "services/relief_list.html",
        {
            "events": events,
            "may_declare": can(request.user, DECLARE_DISASTER),
            "kinds": Disaster.Kind.choices,
            "levels": Disaster.Level.choices,
            "areas": sel.area_choices(request.user) if can(request.user, DECLARE_DISASTER) else [],
            "today": today.isoformat(),
        },
    )


@require_POST
@require(DECLARE_DISASTER)
def disaster_new(request):
    try:
        event = svc.disaster_create(user=request.user, data=request.POST)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("services:relief")
    messages.success(request, f"已登记灾害事件“{event.name}”，救助资金须于 {event.due:%Y-%m-%d} 前发放到位")
    return redirect("services:disaster", event.pk)


def _household_rows(user, event: Disaster, rows, today):
    status = relief_pay.holder_status(event)
    for a in rows:
        found = status.get(a.id_number, {})
        a.pay_status = found.get("relief", "")
        a.pay_label = STATUS.get(a.pay_status, a.pay_status)
        a.rent_paid = found.get("rent_paid", 0)
        a.late = a.relief_amount > 0 and a.pay_status != "paid" and today > event.due
        yield a


@require(VIEW_RELIEF)
def disaster_detail(request, pk):
    event = sel.disaster_get(request.user, pk)
    today = timezone.localdate()
    f = _filters(request, "q", "township", "placement")
    rows = sel.affected_search(request.user, event, q=f["q"], township=f["township"], placement=f["placement"])
    if request.GET.get("export") == "xlsx":
        return _export(request, event, rows, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(_household_rows(request.user, event, page.object_list, today))
    may_pay = (
        can(request.user, BUILD_PAYROLL)
        and request.user.scope_code is not None
        and event.county_id.startswith(request.user.scope_code)
    )
    return render(
        request,
        "services/relief_detail.html",
        {
            "event": event,
            "areas": event.areas.all(),
            "page": page,
            "f": f,
            "progress": relief_pay.relief_progress(event, today),
            "runs": sel.relief_runs(event),
            "townships": selectors.townships_for(request.user),
            "villages": sel.villages_of(request.user, event),
            "placements": Affected.Placement.choices,
            "houses": Affected.House.choices,
            "needs": NEEDS.items(),
            "may_handle": can(request.user, HANDLE_RELIEF),
            "may_pay": may_pay,
            "funds": [(c, params.FUND_LABELS.get(c, c)) for c in params.fund_codes() if c.startswith("relief")],
            "this_month": f"{today:%Y-%m}",
            "today_date": today,
        },
    )


def _export(request, event, rows, today):
    headers = ["村（社区）", "户主", "身份证号", "联系电话", "受灾人数", "房屋损失", "农作物损失（元）", "牲畜损失（元）"]
    headers += ["其他损失（元）", "安置情况", "生活需求", "核定救助金额（元）", "发放情况", "租住补助", "转入临时救助"]

    def lines(mask):
        for a in _household_rows(request.user, event, rows.iterator(chunk_size=2000), today):
            rent = f"{a.rent_from}至{a.rent_to}，每月{a.rent_monthly}元" if a.rent_from else ""
            yield [
                a.village.name,
                a.name,
                mask.id(a.id_number),
                a.phone,
                a.persons,
                a.get_house_display(),
                a.crop_loss,
                a.livestock_loss,
                a.other_loss,
                a.get_placement_display(),
                a.needs_label,
                a.relief_amount,
                a.pay_label + ("（逾期）" if a.late else ""),
                rent,
                a.case.number if a.case_id else "",
            ]

    return export_response(request, "受灾户台账.xlsx", f"{event.name} 受灾群众救助台账", headers, lines)


@require_POST
@require(HANDLE_RELIEF)
def affected_new(request, pk):
    event = sel.disaster_get(request.user, pk)
    try:
        affected = svc.affected_add(user=request.user, disaster=event, data=request.POST)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记受灾户 {affected.name}（{affected.village.name}）")
    return redirect("services:disaster", event.pk)


@require_POST
@require(HANDLE_RELIEF)
def affected_upload(request, pk):
    event = sel.disaster_get(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None or upload.size == 0:
        messages.error(request, "请选择受灾户名单文件（.xlsx 或 .csv）")
        return redirect("services:disaster", event.pk)
    if upload.size > UPLOAD_LIMIT:
        messages.error(request, "文件超过 10MB，请分批导入")
        return redirect("services:disaster", event.pk)
    suffix = Path(upload.name).suffix.lower()[:6]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            added = relief_import.affected_import(user=request.user, disaster=event, path=path, name=upload.name[:100])
        except ImportRejected as exc:
            messages.error(
                request, f"名单未导入（共 {exc.total} 处错误，什么也没有写入）：" + "；".join(map(str, exc.errors[:10]))
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已导入受灾户 {added} 户")
    return redirect("services:disaster", event.pk)


@require_POST
@require(BUILD_PAYROLL)
def run_new(request, pk):
    event = sel.disaster_get(request.user, pk)
    try:
        run, no_account = relief_pay.relief_run_build(user=request.user, disaster=event, data=request.POST)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        note = f"；{no_account} 户没有银行账号，未纳入" if no_account else ""
        messages.success(request, f"已生成{run.period}救灾资金花名册：{run.holders} 户，{run.amount} 元，待复核{note}")
    return redirect("services:disaster", event.pk)


@require(VIEW_RELIEF)
def affected_detail(request, pk):
    a = sel.affected_get(request.user, pk)
    today = timezone.localdate()
    from doudi.payments import relief as pay

    lines = list(pay.lines_of(a.disaster_id).filter(holder_key=a.id_number).select_related("run").order_by("month", "pk"))
    for line in lines:
        line.label = pay.label(line.item)
    last = sel.last_visits(request.user, [a]).get(a.pk)
    return render(
        request,
        "services/relief_household.html",
        {
            "a": a,
            "event": a.disaster,
            "lines": lines,
            "visits": a.visits.select_related("user"),
            "last_visit": last,
            "may_handle": can(request.user, HANDLE_RELIEF),
            "placements": Affected.Placement.choices,
            "head_id": _head_person(request.user, a),
            "today": today.isoformat(),
            "this_month": f"{today:%Y-%m}",
        },
    )


def _head_person(user, a: Affected) -> int | None:
    """The register person to record a 附件1 visit for (the care app's visit form), if any."""
    if not a.household_id:
        return None
    from doudi.registry import selectors as registry

    return registry.persons_for(user).filter(id_number=a.id_number).values_list("pk", flat=True).first()


ACTIONS = {
    "update": (svc.affected_update, "已保存"),
    "rent": (svc.rent_grant, "已登记过渡期房屋租住补助，将在救灾资金花名册中按月发放"),
    "refer": (svc.affected_refer, None),
    "visit": (svc.visit_record, "已登记走访"),
}


@require_POST
@require(HANDLE_RELIEF)
def affected_act(request, pk, action):
    a = sel.affected_get(request.user, pk)
    if action not in ACTIONS:
        messages.error(request, "未知的操作")
        return redirect("services:affected", a.pk)
    call, done = ACTIONS[action]
    try:
        result = call(user=request.user, affected=a, data=request.POST)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done or f"已转入临时救助，案件编号 {result.number}")
    return redirect("services:affected", a.pk)


@require(VIEW_RELIEF)
def away_list(request):
    f = _filters(request, "township", "disaster")
    today = timezone.localdate()
    event = int(f["disaster"]) if f["disaster"].isdigit() else None
    rows = sel.away_list(request.user, today=today, disaster=event, township=f["township"])
    if request.GET.get("export") == "xlsx":
        headers = ["灾害", "村（社区）", "户主", "身份证号", "联系电话", "安置方式", "最近走访", "走访间隔（天）", "是否逾期"]
        return export_response(
            request,
            "在外安置受灾户走访.xlsx",
            "尚未返家受灾户走访情况",
            headers,
            lambda mask: (
                [
                    r["a"].disaster.name,
                    r["a"].village.name,
                    r["a"].name,
                    mask.id(r["a"].id_number),
                    r["a"].phone,
                    r["a"].placement_note,
                    r["last"].isoformat() if r["last"] else "未走访",
                    r["every"],
                    "逾期" if r["overdue"] else "",
                ]
                for r in rows
            ),
        )
    return render(
        request,
        "services/relief_away.html",
        {
            "rows": rows,
            "f": f,
            "townships": selectors.townships_for(request.user),
            "events": sel.disasters_for(request.user).order_by("-on")[:50],
            "overdue": sum(1 for r in rows if r["overdue"]),
        },
    )
