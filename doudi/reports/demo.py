"""Demo reports for the demo county (idempotent): the 附件2 weekly tables of the heating
season so far, through the reports services.

- the county (staff) has submitted every ended week but the last; the season's first week
  was then corrected as version 2, after helper1 recorded a visit of that week late (the
  correction's reason says so, and its 发现问题 count is one higher);
- the last ended week is due (this Wednesday for last week) and not yet submitted by the
  county, so its calendar shows it as 待报送 (逾期未报 once the Wednesday has passed);
- clerk1's township has submitted the last ended week but not the earlier ones, so its
  calendar shows those as 逾期未报, and the county's view of last week shows that township
  as 已报送 and the others as not yet.

Submissions carry the build's time (the services set it): a week whose Wednesday passed
before the build shows as 逾期报送. Twice is once: a week already submitted is not
submitted again, and the correction is made only while the week has one version."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from doudi.core.models import Region, User
from doudi.reports import periods, services, winter

DEMO_COUNTY = "140521"
NEEDED = ("staff", "staff2", "clerk1", "clerk2", "helper1")
KIND = winter.KIND
FILLERS = {"county": ("王晓红", "0356-7021234"), "township": ("张丽", "0356-7035678")}


def build_demo(*, seed: int, stdout, stderr) -> None:
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        return
    if User.objects.filter(username__in=NEEDED).count() < len(NEEDED):
        from doudi.core.demo import demo_users

        demo_users()  # the logins exist once the payments step ran; hashing passwords again is slow
    staff, clerk = User.objects.get(username="staff"), User.objects.get(username="clerk1")
    today = timezone.localdate()
    ended = [week for week in periods.season_weeks(today) if week.ended(today)]
    if not ended:
        return
    county_weeks = ended[:-1] or ended
    done = []
    for week in county_weeks:
        if services.latest_version(KIND, week.code, DEMO_COUNTY) is None:
            _submit(staff, week, DEMO_COUNTY, "county")
            done.append(f"{week.code} 县级报送")
    first = county_weeks[0]
    latest = services.latest_version(KIND, first.code, DEMO_COUNTY)
    if latest is not None and latest.version == 1:
        day = _late_visit(seed, first, today)
        if day is not None:
            _submit(
                staff,
                first,
                DEMO_COUNTY,
                "county",
                reason=f"补录{day.month}月{day.day}日走访发现的安全隐患（协理员延迟录入），发现问题数更正",
            )
            done.append(f"{first.code} 更正为第 2 版")
    township = clerk.region_id
    if len(ended) > 1 and services.latest_version(KIND, ended[-1].code, township) is None:
        _submit(clerk, ended[-1], township, "township")
        done.append(f"{ended[-1].code} {services.region_name(township)}报送")
    if not done:
        stdout.write("统计报表演示数据已就绪（已生成过，未重复生成）。\n")
    else:
        stdout.write(
            f"统计报表演示数据已就绪：附件2 温暖过冬统计表 {'、'.join(done)}；{ended[-1].code} 县级待报送"
            f"（应报日期 {ended[-1].due:%Y-%m-%d}）。\n"
        )


def _submit(user, week: periods.Week, region: str, level: str, reason: str = ""):
    filler, phone = FILLERS[level]
    return services.report_submit(
        user=user, kind=KIND, period=week.code, region_code=region, filler=filler, phone=phone, reason=reason
    )


def _late_visit(seed: int, week: periods.Week, today: dt.date) -> dt.date | None:
    """helper1's visit of that week, recorded after the week was reported: a hazard found."""
    from doudi.care import groups
    from doudi.care import services as care
    from doudi.care.demo import signature_png
    from doudi.care.models import PersonGroup
    from doudi.registry.models import Person

    helper = User.objects.get(username="helper1")
    flag = (
        PersonGroup.objects.filter(active=True, person__household__region_id=helper.region_id)
        .select_related("person")
        .order_by("person_id")
        .first()
    )
    person = flag.person if flag else (Person.objects.filter(household__region_id=helper.region_id).order_by("pk").first())
    if person is None:
        return None
    day = min(week.last - dt.timedelta(days=1), today)
    care.visit_record(
        user=helper,
        person=person,
        visited_on=day,
        answers={1: False, 2: True, 3: True, 4: False},
        notes={3: "煤炉烟道接口漏烟，未装一氧化碳报警器"},
        categories=groups.form_ticks([flag.group]) if flag else [],
        health=["chronic"],
        record="入户查看取暖设施，发现烟道漏烟，当场提醒开窗通风",
        problems_text="煤炉烟道漏烟",
        measures="报乡镇安排更换烟道、安装报警器，3 日内完成",
        visitor_signature=signature_png(helper.username),
        person_signature=signature_png(person.name),
        client_key=f"demo-late-{week.code}",
    )
    return day
