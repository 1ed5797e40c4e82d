"""Writes for the hotline (HOT-1…4): every call of the 社会救助服务热线 and every 12345 work order
(complaints 投诉 and 信访 the same way, by kind) is logged, routed to a township or a 股室 with
a response deadline, answered, followed up and closed on the workflow primitive. Closing an
order that was never answered is refused (and the database refuses it too).

Deadlines (parameters hotline.*): the response deadline is given in working hours. The
calendar (core.workdays) knows days, not office hours, so hours are turned into working days
at hotline.workday_hours (8) hours a day, rounded up: 24 working hours → 3 working days; the
deadline is that working day at the clock time the call came in. A call on a weekend or
holiday starts counting from the next working day. Within a day no office hours are modelled
(a call at 20:00 on a Monday is due at 20:00 three working days later)."""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from doudi.core import workdays
from doudi.core.models import Region
from doudi.core.roles import HANDLE_HOTLINE
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.rules.errors import RulesError
from doudi.rules.policy import parameter
from doudi.services.common import ServiceError, audit, choice, guard, phone, text, township_of_county
from doudi.services.models import WorkOrder, WorkOrderStep

S = WorkOrder.State
ORDER_WORKFLOW = Workflow(
    noun="工单",
    model=WorkOrder,
    steps={
        "route": Step((S.RECEIVED, S.ROUTED), S.ROUTED, HANDLE_HOTLINE, "转办"),
        "answer": Step((S.RECEIVED, S.ROUTED), S.ANSWERED, HANDLE_HOTLINE, "答复", reason_required=True),
        "follow": Step((S.ANSWERED,), S.FOLLOWED, HANDLE_HOTLINE, "回访", reason_required=True),
        "close": Step((S.ANSWERED, S.FOLLOWED), S.CLOSED, HANDLE_HOTLINE, "办结"),
    },
    log=Log(WorkOrderStep, "order", reason_max=500),
    region_of=lambda order: order.region_id,
    labels=lambda state: S(state).label,
)
ACTION_LABELS = {"route": "转办", "answer": "答复", "follow": "回访", "close": "办结"}


def _value(name: str, region: str, on: dt.date) -> int:
    return int(parameter(name, region, on).value)


def deadlines(region: str, received_at: dt.datetime) -> tuple[dt.datetime | None, dt.date | None, str]:
    """(respond_by, close_by, note): note says why a deadline could not be computed."""
    local = timezone.localtime(received_at)
    on = local.date()
    try:
        hours, per_day = _value("hotline.response_hours", region, on), max(1, _value("hotline.workday_hours", region, on))
        days = _value("hotline.close_days", region, on)
    except RulesError as exc:
        return None, None, f"无法计算期限（{exc}）"[:200]
    try:
        respond_day = workdays.add(on, math.ceil(hours / per_day))
        close_by = workdays.add(on, days)
    except workdays.CalendarError as exc:
        return None, None, f"无法计算期限（{exc}）"[:200]
    respond_by = timezone.make_aware(dt.datetime.combine(respond_day, local.time().replace(microsecond=0)))
    return (
        respond_by,
        close_by,
        f"答复 {hours} 个工作小时（按每个工作日 {per_day} 小时折算为 {math.ceil(hours / per_day)} 个工作日）",
    )


def _received_at(data: dict) -> dt.datetime:
    raw = data.get("received_at")
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        raw = str(raw or "").strip()
        if not raw:
            return timezone.now()
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise ServiceError(f"来电时间「{raw[:20]}」格式不对，应为 YYYY-MM-DD HH:MM") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ServiceError("来电时间不能晚于现在")
    return value


def order_create(*, user, data: dict) -> WorkOrder:
    """登记: the call or work order, held by the user's own unit (a township clerk's township,
    else the county bureau) until routed."""
    scope = getattr(user, "scope_code", None)
    township = township_of_county(data.get("township"), user, "来电人所在乡镇")
    own = Region.objects.filter(code=scope).first() if scope else None
    if own is None or own.level not in (Region.Level.TOWNSHIP, Region.Level.COUNTY):
        own = Region.objects.get(code=township.code[:6])  # a superuser or a village user: the county
    guard(user, HANDLE_HOTLINE, own.code, "登记热线工单", "工单")
    id_raw = str(data.get("caller_id_number") or "").strip()
    caller_id = ""
    if id_raw:
        from doudi.services.common import id_number

        caller_id = id_number(id_raw, "来电人身份证号")
    received_at = _received_at(data)
    respond_by, close_by, note = deadlines(township.code, received_at)
    fields = {
        "kind": choice(data, "kind", "诉求类型", WorkOrder.Kind.choices),
        "channel": choice(data, "channel", "来源渠道", WorkOrder.Channel.choices),
        "external_ref": text(data, "external_ref", "12345工单编号", required=False, limit=40),
        "caller_name": text(data, "caller_name", "来电人姓名", limit=32),
        "caller_phone": phone(data, "caller_phone", "联系电话"),
        "caller_id_number": caller_id,
        "need": text(data, "need", "诉求内容", limit=2000),
    }
    if fields["channel"] == WorkOrder.Channel.GOV12345 and not fields["external_ref"]:
        raise ServiceError("12345 转来的工单请填写 12345 工单编号，便于回复办理结果")
    with transaction.atomic():
        order = WorkOrder.objects.create(
            township=township,
            region=own,
            received_at=received_at,
            respond_by=respond_by,
            close_by=close_by,
            deadline_note=note,
            created_by=user,
            **fields,
        )
        ORDER_WORKFLOW.record(order, user, S.RECEIVED, f"登记{order.get_kind_display()}（{order.get_channel_display()}）").save()
    return order


def _move(order: WorkOrder, action: str, user, reason: str = "", **fields) -> WorkOrder:
    try:
        return ORDER_WORKFLOW.move(order, action, user, reason, **fields)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None


def order_route(*, user, order: WorkOrder, target: str, note: str = "") -> WorkOrder:
    """转办 to a township of the county (its code) or to a 股室 of the county bureau (its code)."""
    target = str(target or "").strip()
    if target in WorkOrder.Office.values:
        region, office, label = Region.objects.get(code=order.township_id[:6]), target, WorkOrder.Office(target).label
    else:
        region = township_of_county(target, user, "承办乡镇")
        office, label = "", region.name
    return _move(
        order,
        "route",
        user,
        f"转办至{label}" + (f"：{note.strip()}" if note.strip() else ""),
        region=region,
        office=office,
        routed_at=timezone.now(),
    )


def order_answer(*, user, order: WorkOrder, answer: str) -> WorkOrder:
    answer = str(answer or "").strip()
    if not answer:
        raise ServiceError("请填写答复内容")
    return _move(order, "answer", user, "答复：" + answer[:480], answer=answer[:2000], answered_at=timezone.now())


def order_follow(*, user, order: WorkOrder, note: str, satisfied) -> WorkOrder:
    note = str(note or "").strip()
    if not note:
        raise ServiceError("请填写回访情况")
    if satisfied not in ("yes", "no", True, False):
        raise ServiceError("请选择群众是否满意")
    happy = satisfied in ("yes", True)
    return _move(
        order, "follow", user, f"回访（{'满意' if happy else '不满意'}）：{note[:470]}", follow_up=note[:2000], satisfied=happy
    )


def order_close(*, user, order: WorkOrder, note: str = "") -> WorkOrder:
    """办结: refused while the order has no answer (nothing changes)."""
    if not order.answer.strip() or order.state in (S.RECEIVED, S.ROUTED):
        raise ServiceError("工单尚未答复，不能办结：请先填写答复内容")
    return _move(order, "close", user, note.strip()[:500] or "办结", closed_at=timezone.now())


def order_start_case(*, user, order: WorkOrder, data: dict):
    """A 临时救助 application from the call (cases.services.case_receive, channel 电话申请),
    linked to the order. Returns the case."""
    from doudi.cases import services as cases

    guard(user, HANDLE_HOTLINE, order.region_id, "办理热线工单", "工单")
    if order.case_id is not None:
        raise ServiceError(f"该工单已转入救助申请（案件编号 {order.case.number}）")
    if not order.is_open:
        raise ServiceError("工单已办结，不能再转入救助申请")
    application = {
        "category": "temp_assist",
        "id_number": data.get("id_number") or order.caller_id_number,
        "name": data.get("name") or order.caller_name,
        "region": data.get("village"),
        "reason": data.get("reason") or order.need,
        "channel": "hotline",
        "phone": order.caller_phone,
    }
    try:
        with transaction.atomic():
            case = cases.case_receive(user=user, data=application)
            if not WorkOrder.objects.filter(pk=order.pk, case__isnull=True).update(case=case):
                raise ServiceError("该工单已转入救助申请，请刷新页面")
            WorkOrderStep.objects.create(
                order=order,
                user=user,
                role=getattr(user, "role", ""),
                from_state=order.state,
                to_state=order.state,
                reason=f"转入临时救助申请，案件编号 {case.number}",
                data={"case": case.number},
            )
    except cases.ApplicationRefused as exc:
        raise ServiceError("不能转入救助申请：" + "；".join(exc.errors.values())) from None
    except (cases.DuplicateApplication, WorkflowError) as exc:
        raise ServiceError(str(exc)) from None
    audit(user, "work_order", order.pk, {"案件": case.number}, "热线来电转入临时救助申请")
    order.refresh_from_db()
    return case
