"""Public applications API (docs/interfaces.md §8), django-ninja, mounted at /api/.

    POST /api/applications            → 201 {number, status "received", deadline}
                                        409 {detail, number} the same open application exists
                                        422 {errors: {field: 中文}} bad input
    GET  /api/applications/{number}?id_number=…
                                      → status, steps done with dates, current deadline,
                                        written reasons if refused; 404 without the matching
                                        ID number (the same answer as an unknown number)

No login: the online application page and 一网通办 platforms call it. Every call is rate
limited per client address (django cache), 429 beyond the limit. Nothing personal is
returned beyond what the caller already gave (number + ID number).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import ValidationError

from doudi.cases import clock, selectors, services
from doudi.cases.models import Case
from doudi.core import ratelimit
from doudi.core.workflow import WorkflowError

api = NinjaAPI(
    title="兜底 救助申请接口",
    version="1",
    urls_namespace="cases_api",
    docs_url="/applications/docs",
    openapi_url="/applications/openapi.json",
)
FIELD_LABELS = {
    "category": "申请类别",
    "id_number": "身份证号",
    "name": "姓名",
    "phone": "联系电话",
    "region": "所在村（居）区划代码",
    "reason": "申请理由",
    "channel": "申请渠道",
    "promise": "告知承诺",
    "members": "家庭成员",
    "hukou": "户籍性质",
    "address": "详细地址",
}


class Application(Schema):
    category: str = ""
    id_number: str = ""
    name: str = ""
    phone: str = ""
    region: str = ""
    reason: str = ""
    channel: str = "api"
    promise: bool = False
    members: list[dict] | None = None
    hukou: str = ""  # urban / rural: a new applicant's household (created in the register when confirmed)
    address: str = ""


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """ninja's own 422 (a wrong JSON type) in the same Chinese per-field shape as ours."""
    errors = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query")]
        field = loc[0] if loc else "请求"
        errors[field] = f"{FIELD_LABELS.get(field, field)}格式不正确"
    return api.create_response(request, {"errors": errors or {"请求": "请求内容应为 JSON 对象"}}, status=422)


def _limited(request) -> bool:
    """A fixed one-minute window per client address (core.ratelimit); the limit is a setting."""
    return ratelimit.limited(request, "cases-api", int(getattr(settings, "DOUDI_PUBLIC_API_PER_MINUTE", 30)))


TOO_MANY = {"detail": "请求过于频繁，请稍后再试"}


@api.post("/applications", response={201: dict, 409: dict, 422: dict, 429: dict}, summary="提交救助申请")
def create_application(request, payload: Application):
    if _limited(request):
        return Status(429, TOO_MANY)
    data = payload.dict()
    data["channel"] = data.get("channel") or "api"
    try:
        case = services.case_receive(user=None, data=data)
    except services.ApplicationRefused as refused:
        return Status(422, {"errors": refused.errors})
    except services.DuplicateApplication as duplicate:
        return Status(409, {"detail": str(duplicate), "number": duplicate.number})
    except WorkflowError as exc:
        return Status(422, {"errors": {"请求": str(exc)}})
    return Status(
        201,
        {
            "number": case.number,
            "status": "received",
            "deadline": case.due.isoformat() if case.due else None,
            **({"deadline_note": case.clock_note} if case.clock_note else {}),
        },
    )


@api.get("/applications/{number}", response={200: dict, 404: dict, 429: dict}, summary="查询申请办理进度")
def track_application(request, number: str, id_number: str = ""):
    if _limited(request):
        return Status(429, TOO_MANY)
    case = selectors.public_case(number, id_number)
    if case is None:
        return Status(404, {"detail": "没有找到该申请，请核对申请编号和身份证号"})
    states = dict(Case.State.choices)
    steps = [
        {"step": states.get(s.to_state, s.to_state), "status": s.to_state, "date": timezone.localdate(s.at).isoformat()}
        for s in case.steps.order_by("id")
    ]
    body = {
        "number": case.number,
        "category": case.get_category_display(),
        "status": case.state,
        "status_label": case.get_state_display(),
        "steps": steps,
        "deadline": case.due.isoformat() if case.is_open and case.due else None,
        "clock": clock.status(case)["text"],
    }
    if case.state == Case.State.REFUSED:
        body["refusal_reasons"] = case.refusal_reasons
    return Status(200, body)
