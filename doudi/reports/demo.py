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
    done += _festival(staff, today)
    done += _supervision(staff, User.objects.get(username="staff2"), clerk, today)
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


def _festival(staff, today: dt.date) -> list[str]:
    """Last winter's 元旦春节 table (重庆 festival), submitted by the county: present in the demo
    whatever the date (this winter's reporting dates may not have come yet)."""
    from doudi.reports import festival

    year = today.year if today.month >= 3 else today.year - 1
    period = f"{year}-01-11"
    if year not in festival.SPRING_FESTIVAL or services.latest_version(festival.KIND, period, DEMO_COUNTY) is not None:
        return []
    filler, phone = FILLERS["county"]
    services.report_submit(
        user=staff, kind=festival.KIND, period=period, region_code=DEMO_COUNTY, filler=filler, phone=phone, today=today
    )
    return [f"元旦春节统计表 {period} 县级报送"]


DEMO_INSPECTION = "冬季救助工作专项督导（演示）"


def _supervision(staff, staff2, clerk, today: dt.date) -> list[str]:
    """督导检查 and 督办任务 in every state, through the services: open (one due within the
    reminder period, one overdue), reported with a photo, closed (整改清零), one sent back once;
    a task due tomorrow (its reminder on the home to-do) and one reported with a PDF."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from doudi.care.demo import signature_png
    from doudi.core import workdays
    from doudi.reports import supervision, tasks
    from doudi.reports.models import Inspection

    if Inspection.objects.filter(subject=DEMO_INSPECTION).exists():
        return []
    township = clerk.region_id
    soon = workdays.add(today, 1)
    held = today - dt.timedelta(days=20)
    inspection = supervision.inspection_create(
        user=staff, region=township, held_on=held, inspectors="县民政局 王科长、李干事", subject=DEMO_INSPECTION
    )

    def finding(text, deadline):
        return supervision.finding_create(
            user=staff, inspection=inspection, region=township, description=text, deadline=max(deadline, held)
        )

    def photo(name):
        return SimpleUploadedFile(name, signature_png(name), content_type="image/png")

    finding("2户分散供养特困人员照料服务协议到期未续签", soon)  # open, due soon: reminded
    finding("走访台账中3户未记录取暖设施检查情况", today - dt.timedelta(days=3))  # open, overdue
    reported = finding("低保家庭收入核算未附佐证材料", today + dt.timedelta(days=10))
    supervision.finding_report(
        user=clerk, finding=reported, evidence="已补齐5户收入核算佐证，附整改台账照片", files=[photo("整改台账.png")]
    )
    closed = finding("临时救助备用金支取未及时登记", today - dt.timedelta(days=5))
    supervision.finding_report(user=clerk, finding=closed, evidence="已补登记支取记录4笔")
    supervision.finding_reject(user=staff, finding=closed, reason="未附支取凭证，请补充")
    closed.refresh_from_db()
    supervision.finding_report(user=clerk, finding=closed, evidence="已补登记支取记录4笔，附凭证", files=[photo("支取凭证.png")])
    supervision.finding_close(user=staff2, finding=closed)
    task = tasks.task_create(
        user=staff,
        region=township,
        description="入冬前完成辖区内独居老人取暖设施安全排查",
        deadline=soon,
        today=today,
    )
    supervision.finding_progress(user=clerk, finding=task, text="已排查3个村，发现隐患2处", files=[photo("排查现场.png")])
    office = tasks.task_create(
        user=staff,
        region=DEMO_COUNTY,
        office="社会救助股",
        description="汇总各乡镇冬春救助资金需求，报县财政局",
        deadline=today + dt.timedelta(days=7),
        today=today,
    )
    pdf = SimpleUploadedFile("资金需求汇总.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf")
    supervision.finding_report(user=staff2, finding=office, evidence="已汇总并报送", files=[pdf])
    return ["督导问题 4 个（整改中、待核验、已清零）", "督办任务 2 个"]
