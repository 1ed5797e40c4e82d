"""Demo disaster relief (idempotent, by the event's name): a 低温雨雪冰冻 disaster in November in the
demo county's first two townships, 20 affected households (14 from the register, 6 new to it) with
their losses, placement and needs; the relief run of the month built by `staff`, checked by
`staff2`, approved by `finance`, sent with its 一卡通 bank file and reconciled from the bank's return
before the Spring Festival deadline; two collapsed houses with rent aid, one household referred to
临时救助, the households not yet home visited (one still overdue)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from doudi.core import idnumber, months
from doudi.core.models import Region, User
from doudi.payments import bankfiles
from doudi.payments.demo import through_the_bank
from doudi.registry import selectors as registry
from doudi.services import relief, relief_pay
from doudi.services.models import Disaster

NAME = "2026年11月低温雨雪冰冻灾害"
NEW = [
    ("郭春生", "19580312"),
    ("马秀兰", "19630807"),
    ("韩志强", "19751120"),
    ("冯桂英", "19490203"),
    ("曹建国", "19661015"),
    ("彭玉梅", "19820529"),
]


def card(seed: int) -> str:
    """A 19-digit demo account with a correct Luhn check digit."""
    body = f"622848{seed:012d}"
    total = 0
    for i, digit in enumerate(reversed(body)):
        d = int(digit) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _plan(n: int) -> dict:
    """Losses by position: two collapsed houses (away, rent aid), three severely damaged (two away)."""
    house = "collapsed" if n < 2 else "severe" if n < 5 else "general" if n < 12 else "none"
    away = n < 4
    return {
        "house": house,
        "crop_loss": str(800 + 150 * (n % 5)),
        "livestock_loss": "2000" if n % 7 == 3 else "0",
        "placement": "away" if away else "home",
        "placement_note": ("自行租房" if n < 2 else "投亲靠友") if away else "",
        "needs": ["housing", "heating", "food"] if house == "collapsed" else ["heating", "clothing"] if n < 12 else ["heating"],
        "relief_amount": {"collapsed": "3000", "severe": "2000", "general": "1200", "none": "800"}[house],
    }


def build_relief_demo(*, stderr) -> str:
    if Disaster.objects.filter(name=NAME).exists():
        return ""
    staff = User.objects.get(username="staff")
    county = staff.scope_code[:6]
    townships = list(Region.objects.filter(parent_id=county, level=Region.Level.TOWNSHIP).order_by("code")[:2])
    if len(townships) < 2:
        return ""
    stderr.write("[进度] 演示：灾害事件、受灾户、救灾资金花名册和代发回盘\n")
    today = timezone.localdate()
    on = min(dt.date(2026, 11, 18), today - dt.timedelta(days=14))
    due = relief.festival_due(on) or dt.date(on.year + 1, 2, 4)
    event = relief.disaster_create(
        user=staff,
        data={
            "name": NAME,
            "kind": "freeze",
            "on": on.isoformat(),
            "level": "4",
            "due": due.isoformat(),
            "areas": [t.code for t in townships],
            "description": "持续低温雨雪冰冻，部分农房倒塌、损坏，设施农业和越冬作物受灾，启动县级Ⅳ级救灾应急响应。",
        },
    )
    affected = _households(staff, event, townships)
    for a in affected[:2]:
        first = months.of(today)
        relief.rent_grant(user=staff, affected=a, data={"rent_from": first, "rent_to": months.add(first, 3)})
    run, _ = relief_pay.relief_run_build(user=staff, disaster=event, data={"period": months.of(today), "fund": "relief_central"})
    through_the_bank(
        run,
        staff,
        User.objects.get(username="staff2"),
        User.objects.get(username="finance"),
        why=("已核对受灾户名单和金额", "同意拨付救灾资金"),
    )
    relief.affected_refer(
        user=staff,
        affected=affected[2],
        data={"reason": "房屋严重损坏，冬春救助后仍缺口粮和取暖煤，基本生活困难", "tier": "serious"},
    )
    for a in affected[1:4]:  # the first household away has not been visited yet: shown overdue
        relief.visit_record(user=staff, affected=a, data={"on": today.isoformat(), "note": "借住亲友家，已送取暖煤和棉被"})
    return f"，灾害事件“{NAME}”{len(affected)} 户受灾户的救灾资金已通过一卡通发放到账（截止 {due:%Y-%m-%d}）"


def _households(staff, event, townships) -> list:
    """Seven register households of each township, then six new to the register (both townships)."""
    out = []
    for t, township in enumerate(townships):
        heads = (
            registry.persons_for(staff)
            .filter(relation="head", household__region__parent=township)
            .select_related("household")
            .order_by("household__region_id", "household__code")[:7]
        )
        for n, head in enumerate(heads):
            data = {"register": head.household.code, **_plan(2 * n + t)}
            if not bankfiles.valid_account(head.bank_account or ""):
                data.update(bank_name="农村信用社", bank_account=card(1000 + 10 * t + n))
            out.append(relief.affected_add(user=staff, disaster=event, data=data))
    out.sort(key=lambda a: (a.house != "collapsed", a.house != "severe", a.pk))
    for n, (name, birth) in enumerate(NEW):
        villages = list(Region.objects.filter(parent=townships[n % 2], level=Region.Level.VILLAGE).order_by("code")[:3])
        if not villages:
            continue
        village = villages[(n // 2) % len(villages)]
        data = {
            "name": name,
            "id_number": idnumber.with_check_digit(f"{village.code[:6]}{birth}{n + 61:03d}"),
            "village": village.code,
            "phone": f"1390356{n:04d}",
            "bank_name": "农村信用社",
            "bank_account": card(2000 + n),
            "persons": str(2 + n % 3),
            **_plan(5 + n),
        }
        out.append(relief.affected_add(user=staff, disaster=event, data=data))
    return out
