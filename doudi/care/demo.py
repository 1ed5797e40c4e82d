"""Demo care for the demo county (idempotent): the current heating season as the helpers
recorded it, through the care services only.

- special-group flags on a few hundred persons the register points at (独居, 空巢, 失能,
  重残 elderly; 孤儿, 事实无人抚养儿童, 农村留守儿童), set by the township clerks;
- family members living apart for some of helper1's elderly (附件1 question 2);
- visits on the 附件1 form in helper1's village and a few villages of other townships over
  the last weeks, both signatures drawn (a small generated PNG), some with a photo: weekly
  duties visited this week or late (逾期未访), monthly ones visited in November, October
  (late) or not yet;
- the problems those visits found (hazards such as a blocked chimney, hardship, service
  needs, family not visiting): some waiting to be assigned, some with their owner, some
  solved with what was done; those past their 10 working days show as overdue.

Dates: visits fall on the days before today (the form refuses a future date); flags and
contacts carry the build's time, as the services set it. Twice is once: a visit's
submission key is fixed per person and day, a flag already set is left alone, a person
with family contacts gets no more."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from doudi.care import duties, groups, selectors, services
from doudi.care.models import FamilyContact, PersonGroup, Problem
from doudi.core.models import Region, User
from doudi.core.workflow import WorkflowError
from doudi.registry.models import Benefit, Person

DEMO_COUNTY = "140521"
NEEDED = ("staff", "staff2", "clerk1", "clerk2", "helper1")
FLAG_LIMITS = {
    "elderly_alone": 150,
    "elderly_disabled": 80,
    "elderly_severe_disability": 60,
    "elderly_empty_nest": 40,
    "child_left_behind": 40,
}
HAZARDS = [
    "烟囱堵塞，煤炉未装风斗，有煤气中毒隐患",
    "屋顶积雪未清理，房屋后墙有裂缝",
    "院内水管冻裂，道路覆冰",
    "电线老化，电热毯使用不当",
]
HARDSHIP = ["冬季取暖煤不足，仅够半月", "缺少棉被、棉衣", "慢性病常用药费用较高，近期未按时购药"]
NEEDS = ["需要居家适老化改造：卫生间加装扶手", "希望有人定期上门理发、打扫", "独居，希望多陪伴聊天（精神慰藉）"]
APART = ["儿子在外省务工，近半年未回家看望", "女儿远嫁，很少电话问候"]
OUTCOMES = {
    1: "乡镇发放取暖煤 1 吨、棉被 1 床，已送到家",
    2: "村委会联系子女，子女承诺每周电话问候、春节回家",
    3: "村干部上门疏通烟囱、加装风斗，讲解用煤安全",
    4: "已纳入居家养老上门服务，每周一次",
}
OWNERS = {1: "rescue_center", 2: "township", 3: "township", 4: "elderly"}
FORCED = ("solved", "assigned", "open")


def build_demo(*, seed: int, stdout, stderr) -> None:
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        return
    if User.objects.filter(username__in=NEEDED).count() < len(NEEDED):
        from doudi.core.demo import demo_users

        demo_users()  # the logins exist once the payments step ran; hashing passwords again is slow
    users = {u.username: u for u in User.objects.filter(username__in=["staff", "clerk1", "clerk2", "helper1"])}
    today = timezone.localdate()
    stderr.write("[进度] 演示：特殊群体、走访记录和问题……\n")
    flags = _flags(random.Random(seed), users, today)
    contacts = _contacts(users, today)
    villages = _villages(random.Random(seed), users)
    made, problems = Counter(), Counter()
    for village in villages:
        visitor = _visitor(users, village)
        duty = selectors.duty_list(users["staff"], region=village, today=today)
        with transaction.atomic():
            for n, item in enumerate(duty):
                # In helper1's village the first three always find a hazard: solved, with its owner, waiting.
                force = FORCED[n] if village == users["helper1"].region_id and n < len(FORCED) else ""
                for visit in _visit(seed, item, visitor, today, force):
                    made[village] += 1
                    problems.update(_move_problems(seed, visit, users, today, force))
    visits = sum(made.values())
    from doudi.care.demo_more import build_more

    # 照料服务协议, 困境儿童 with guardians and 结对, the pre-festival campaign, a problem's case.
    users.update({u.username: u for u in User.objects.filter(username__in=["childdir1", "childsup1"])})
    more = build_more(users=users, today=today, png=_png)
    if any(more.values()):
        stdout.write(
            f"走访关爱演示数据（续）：照料服务协议 {more['agreements']} 份，困境儿童监护和结对 {more['children']} 名，"
            f"集中走访慰问登记 {more['campaign_visits']} 次，由问题发起临时救助案件 {more['cases']} 件。\n"
        )
    if not (flags or contacts or visits):
        stdout.write("走访关爱演示数据已就绪（已生成过，未重复生成）。\n")
        return
    stdout.write(
        f"走访关爱演示数据已就绪：新设特殊群体标识 {flags} 个，分开居住的家庭成员 {contacts} 名；"
        f"{len(made)} 个村新增走访记录 {visits} 份，发现问题 {sum(problems.values())} 个"
        f"（已解决 {problems['solved']}，办理中 {problems['assigned']}，待交办 {problems['open']}）。\n"
    )


def _manager(users: dict, village: str) -> User:
    for name in ("clerk1", "clerk2"):
        if village.startswith(users[name].region_id):
            return users[name]
    return users["staff"]


def _visitor(users: dict, village: str) -> User:
    return users["helper1"] if village == users["helper1"].region_id else _manager(users, village)


# ---- special groups --------------------------------------------------------------------
def _flags(rng: random.Random, users: dict, today: dt.date) -> int:
    """Flags from what the register says (the same persons every run; a flag already set stays)."""
    sixty, sixteen = duties.born_before(today, 60), duties.born_before(today, 16)
    size = Person.objects.filter(household_id=OuterRef("household_id")).values("household_id").annotate(n=Count("id")).values("n")
    people = Person.objects.filter(household__region__code__startswith=DEMO_COUNTY).select_related("household")
    old = people.filter(birth_date__lte=sixty)
    helper_village = users["helper1"].region_id
    wanted: list[tuple[Person, str]] = []

    def pick(group: str, rows):
        rows = list(rows.order_by("pk"))
        mine = [p for p in rows if p.household.region_id == helper_village]
        rest = [p for p in rows if p.household.region_id != helper_village]
        rng.shuffle(rest)
        limit = FLAG_LIMITS.get(group)
        wanted.extend((p, group) for p in (mine + rest if limit is None else (mine + rest)[:limit]))

    pick("elderly_alone", old.annotate(size=size).filter(size=1))
    pick("elderly_disabled", old.filter(self_care="none"))
    pick("elderly_severe_disability", old.filter(disability_level__in=(1, 2)))
    both_old = Person.objects.filter(household_id=OuterRef("household_id"), birth_date__gt=sixty)
    pick("elderly_empty_nest", old.filter(relation="head").annotate(size=size).filter(size=2).exclude(Exists(both_old)))
    for category, group in (("orphan", "child_orphan"), ("unsupported_child", "child_unsupported")):
        holders = Benefit.objects.filter(person_id=OuterRef("pk"), category=category, until__isnull=True)
        pick(group, people.filter(Exists(holders)))
    rural_children = people.filter(birth_date__gt=sixteen, household__hukou="rural", relation__in=("grandchild",))
    pick("child_left_behind", rural_children)
    existing = set(PersonGroup.objects.filter(person_id__in=[p.pk for p, _g in wanted]).values_list("person_id", "group"))
    count = 0
    with transaction.atomic():
        for person, group in wanted:
            if (person.pk, group) in existing:
                continue
            services.group_set(
                user=_manager(users, person.household.region_id),
                person=person,
                group=group,
                active=True,
                note="入户核实" if group.startswith("child") else "按台账提示入户核实",
            )
            count += 1
    return count


def _contacts(users: dict, today: dt.date) -> int:
    """Children living apart, for a few of helper1's elderly living alone (附件1 question 2)."""
    helper = users["helper1"]
    alone = (
        PersonGroup.objects.filter(group="elderly_alone", active=True, person__household__region_id=helper.region_id)
        .select_related("person", "person__household")
        .order_by("person_id")[:8]
    )
    have = set(FamilyContact.objects.filter(person_id__in=[f.person_id for f in alone]).values_list("person_id", flat=True))
    count = 0
    for n, flag in enumerate(alone):
        if flag.person_id in have:
            continue
        person = flag.person
        services.family_contact_add(
            user=helper,
            person=person,
            name=person.name[0] + ("建军" if n % 2 else "丽萍"),
            relation="儿子" if n % 2 else "女儿",
            duty="support",
            phone=f"1390356{n:04d}",
            address=["太原市小店区", "晋城市城区", "河南省郑州市", "北京市大兴区"][n % 4],
        )
        count += 1
    return count


# ---- visits ----------------------------------------------------------------------------
def _villages(rng: random.Random, users: dict) -> list[str]:
    """helper1's village, two more of clerk1's township, one of clerk2's and of three others."""
    helper = users["helper1"].region_id
    out = [helper]
    townships = list(
        Region.objects.filter(parent_id=DEMO_COUNTY, level=Region.Level.TOWNSHIP).order_by("code").values_list("code", flat=True)
    )
    for township, count in [(users["clerk1"].region_id, 2), (users["clerk2"].region_id, 1)] + [(t, 1) for t in townships[2:5]]:
        codes = [
            c for c in Region.objects.filter(parent_id=township).order_by("code").values_list("code", flat=True) if c != helper
        ]
        out += codes[:count]
    return out


def _dates(rng: random.Random, item, today: dt.date) -> list[dt.date]:
    """When this person was visited: weekly duties at the season's start and again this week
    (or late), monthly ones once in November, in October (late), or not yet."""

    def back(low, high):
        return today - dt.timedelta(days=rng.randint(low, high))

    roll = rng.random()
    if item.frequency == duties.WEEKLY:
        first = back(9, 13)
        if roll < 0.7:
            return [back(28, 34), first, back(0, 6)]  # visited this week: done
        if roll < 0.9:
            return [back(28, 34), first]  # last visit more than a week ago: 逾期未访
        return []  # never visited: due today
    if roll < 0.65:
        return [back(1, 28)]
    if roll < 0.85:
        return [back(35, 55)]  # a month and more ago: 逾期未访
    return []


def _visit(seed: int, item, visitor: User, today: dt.date, force: str = "") -> list:
    rng = random.Random(f"{seed}-care-{item.person_id}")
    made = []
    person = None
    # A forced hazard is found twelve days ago: past its 10 working days unless solved.
    days = [today - dt.timedelta(days=12)] if force else sorted(set(_dates(rng, item, today)))
    for day in days:
        person = person or Person.objects.select_related("household").get(pk=item.person_id)
        answers, notes, text = _answers(rng, person)
        if force:
            answers, notes, text = {1: False, 2: True, 3: True, 4: False}, {3: HAZARDS[0]}, HAZARDS[0]
        health = [
            h
            for h, hit in (("disabled", person.disability_level is not None), ("serious_illness", person.serious_illness))
            if hit
        ] or (["chronic"] if rng.random() < 0.3 else ["healthy"])
        photos = [SimpleUploadedFile("走访照片.png", _png(f"{person.pk}-{day}"))] if force or rng.random() < 0.2 else []
        visit, created = services.visit_record(
            user=visitor,
            person=person,
            visited_on=day,
            answers=answers,
            notes=notes,
            categories=groups.form_ticks(item.groups),
            health=health,
            record=rng.choice(
                [
                    "入户查看取暖设施和存煤，询问饮食起居和身体情况",
                    "查看房屋、水电和取暖炉具，宣传冬季用煤安全",
                    "与本人和邻居交谈，了解近期生活和就医情况",
                ]
            ),
            problems_text=text,
            measures="；".join(_measures(answers)),
            visitor_signature=signature_png(visitor.username),
            person_signature=signature_png(person.name),
            photos=photos,
            client_key=f"demo-{person.pk}-{day:%Y%m%d}",
        )
        if created:
            made.append(visit)
    return made


def _answers(rng: random.Random, person: Person) -> tuple[dict, dict, str]:
    answers, notes = {1: False, 2: True, 3: False, 4: False}, {}
    roll = rng.random()
    if roll < 0.06:
        answers[3], notes[3] = True, rng.choice(HAZARDS)
    elif roll < 0.1:
        answers[1], notes[1] = True, rng.choice(HARDSHIP)
    elif roll < 0.13:
        answers[4], notes[4] = True, rng.choice(NEEDS)
    elif roll < 0.15:
        answers[2], notes[2] = False, rng.choice(APART)
    text = "；".join(notes.values())
    return answers, notes, text


def _measures(answers: dict) -> list[str]:
    wanted = [n for n, action in groups.ACTION_ANSWER.items() if answers[n] == action]
    return [f"{groups.SHORT_QUESTIONS[n]}：报乡镇，10 个工作日内解决" for n in wanted]


def _move_problems(seed: int, visit, users: dict, today: dt.date, force: str = "") -> list[str]:
    """Some problems wait to be assigned, some are with their owner, some are solved."""
    states = []
    manager = _manager(users, visit.region_code)
    for problem in visit.problems.all():
        rng = random.Random(f"{seed}-problem-{visit.client_key}-{problem.question}")
        roll = {"open": 0.0, "solved": 0.5, "assigned": 0.9}.get(force, rng.random())
        if roll < 0.25:
            states.append(Problem.State.OPEN)
            continue
        try:
            problem = services.problem_assign(user=manager, problem=problem, owner=OWNERS[problem.question])
            if roll < 0.65:
                solved = min(visit.visited_on + dt.timedelta(days=rng.randint(1, 8)), today)
                problem = services.problem_solve(
                    user=manager, problem=problem, outcome=OUTCOMES[problem.question], solved_on=solved
                )
        except WorkflowError:
            pass
        states.append(problem.state)
    return states


# ---- images ----------------------------------------------------------------------------
_SIGNATURES: dict[str, bytes] = {}


def signature_png(who: str) -> bytes:
    """A handwriting-like stroke on a white 160×48 canvas, as the signature pad sends (PNG)."""
    if who not in _SIGNATURES:
        rng = random.Random(who)
        width, height = 160, 48
        pixels = [[255] * width for _ in range(height)]
        x, y = 10.0, 24.0
        while x < width - 10:
            x += rng.uniform(0.8, 2.0)
            y = max(6.0, min(height - 6.0, y + rng.uniform(-3, 3)))
            for dy in (0, 1):
                pixels[int(y) + dy][int(x)] = 20
        _SIGNATURES[who] = _encode(pixels)
    return _SIGNATURES[who]


def _png(text: str) -> bytes:
    shade = 120 + sum(map(ord, text)) % 100
    pixels = [[shade if (x // 10 + y // 10) % 2 else shade - 50 for x in range(120)] for y in range(90)]
    return _encode(pixels)


def _encode(pixels: list[list[int]]) -> bytes:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
