"""Demo cases for the demo county (idempotent): the county's applications of 2026 at every
step, made only through the cases services, as a clerk would make them — received at the
window, by a village helper, online or by phone; checked by the rules (their decision
stored on the case); surveyed; in 公示 or past it waiting for the county; enrolled through
the registry service; refused with written reasons; returned for documents (clock paused);
withdrawn; re-opened; a few decided against the rules with a written reason (改判清单).
Then a season of 临时救助: 急难 and 支出 at each tier, township and county approval, a
一事一议 record, 先行救助 with and without its papers, a non-resident helped where the
emergency happened, a 未参保失业人员 found by the data comparison.

Dates: every case is received on a 2026 date (the services take the day), chosen back from
today so that some are due soon and some overdue; the whole-process deadline must fall in a
year the holiday calendar knows, so nothing is received after the last day whose deadline
can be computed (docs/cases.md "演示数据"). The step rows carry the build's time; the dates
that count (受理, 公示, 决定, 支付) are the case's.

Twice is once: an applicant who already has a case of the category is skipped, and the
applicants are picked from the register by what the register held before any demo case
(benefits a case started do not move the pick)."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from doudi.cases import clock, decisions, evidence, services, temp
from doudi.cases.demo_life import build_life
from doudi.cases.models import Case
from doudi.core import idnumber, months, workdays
from doudi.core.models import Region, User
from doudi.registry.models import Benefit, Household, Person

DEMO_COUNTY = "140521"
NEEDED = ("staff", "staff2", "clerk1", "clerk2", "helper1")
SURVEY_NOTES = {
    "dibao": "入户查看住房、家电和生活情况，核实家庭成员 {n} 人，主要收入为务农和零星务工，与申报基本一致。",
    "tekun": "申请人独居，无劳动能力，无生活来源，子女均已去世或无赡养能力，与申报一致。",
    "elderly_age": "核实申请人户籍和年龄，本人在家居住，生活基本能自理。",
    "disability_care": "核实残疾证等级，申请人生活不能自理，由家人照料。",
    "disability_living": "核实残疾证和家庭经济状况，申请人无稳定收入。",
}
RETURN_REASONS = [
    "缺少近 6 个月收入证明，请补充",
    "缺少户口簿复印件和家庭成员身份证明",
    "残疾证已过有效期，请换领后补交",
    "缺少医疗费用发票和出院小结",
    "赡养人的收入证明未提供",
]
WITHDRAW_REASONS = [
    "申请人外出务工，收入已高于低保标准，本人申请撤回",
    "申请人随子女迁居外县，本人申请撤回",
    "申请人表示暂不需要救助，本人申请撤回",
]
OVERRIDE_APPROVE = "家庭成员患尿毒症长期透析，医疗自付费用核对时未计入（票据已补充），实际生活困难，经集体研究同意纳入"
OVERRIDE_REFUSE = "入户调查发现申请人常年随子女在外省居住，不在本县生活，经集体研究不予保障"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "玉兰", "国强", "桂英", "志强", "海燕", "晓明", "春生", "金花"]


@dataclass
class Plan:
    target: str
    category: str
    id_number: str
    name: str
    village: str
    received_on: dt.date
    person: Person | None = None
    channel: str = "window"
    special: bool = False
    promise: bool = False
    extra: dict = field(default_factory=dict)


def build_demo(*, seed: int, stdout, stderr) -> None:
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        return
    if User.objects.filter(username__in=NEEDED).count() < len(NEEDED):
        from doudi.core.demo import demo_users

        demo_users()  # the logins exist once the payments step ran; hashing passwords again is slow
    users = {u.username: u for u in User.objects.filter(username__in=["staff", "staff2", "clerk1", "clerk2", "helper1"])}
    today = clock.today()
    days = Days(today)
    have = set(Case.objects.filter(region__code__startswith=DEMO_COUNTY).values_list("applicant_id_number", "category"))
    plans = [p for p in _plans(random.Random(seed), days, users) if (p.id_number, p.category) not in have]
    temps = [t for t in _temp_plans(random.Random(seed + 1), days, users) if (t.id_number, "temp_assist") not in have]
    if not plans and not temps:
        stdout.write("案件演示数据已就绪（已生成过，未重复生成）。\n")
        _county_run(users, days, stdout)
        build_life(users=users, today=days.today, last_receipt=days.last_receipt, stdout=stdout, stderr=stderr)
        return
    stderr.write(f"[进度] 演示：{len(plans)} 件申请和 {len(temps)} 件临时救助，按办理环节推进……\n")
    made, failed = Counter(), []
    for plan in plans:
        try:
            with transaction.atomic():
                case = _run(plan, users, days)
            made[case.state] += 1
        except (
            services.ApplicationRefused,
            services.DuplicateApplication,
            services.WorkflowError,
            ValueError,
            PermissionError,
        ) as exc:
            failed.append(f"{plan.name}（{plan.category}，{plan.target}）：{exc}")
    _reserves(temps, users, days)
    for plan in temps:
        try:
            with transaction.atomic():
                case = _run_temp(plan, users, days)
            made["temp_" + case.state] += 1
        except (
            services.ApplicationRefused,
            services.DuplicateApplication,
            services.WorkflowError,
            ValueError,
            PermissionError,
        ) as exc:
            failed.append(f"{plan.name}（临时救助，{plan.target}）：{exc}")
    for line in failed[:10]:
        stderr.write(f"[演示] 未能办理：{line}\n")
    labels = dict(Case.State.choices)
    shown = "，".join(f"{labels[s]} {n}" for s, n in sorted(made.items()) if not s.startswith("temp_"))
    temp_shown = "，".join(f"{labels[s[5:]]} {n}" for s, n in sorted(made.items()) if s.startswith("temp_"))
    stdout.write(
        f"案件演示数据已就绪：新增 {sum(n for s, n in made.items() if not s.startswith('temp_'))} 件（{shown}）；"
        f"临时救助 {sum(n for s, n in made.items() if s.startswith('temp_'))} 件（{temp_shown}）。\n"
    )
    _county_run(users, days, stdout)
    build_life(users=users, today=days.today, last_receipt=days.last_receipt, stdout=stdout, stderr=stderr)


# ---- dates -----------------------------------------------------------------------------
class Days:
    """Working-day arithmetic back from today, inside the calendar's known years."""

    def __init__(self, today: dt.date):
        self.today = min(today, dt.date(workdays.last_known_year(), 12, 31))
        # The last day a case may be received on with a computable 30-working-day deadline.
        self.last_receipt = self.today
        while True:
            try:
                workdays.add(self.last_receipt, 30)
                break
            except workdays.CalendarError:
                self.last_receipt -= dt.timedelta(days=1)
        self.floor = dt.date(self.today.year, 1, 5)

    def back(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day -= dt.timedelta(days=1)
            if workdays.is_workday(day):
                count -= 1
        return max(day, self.floor)

    def ahead(self, day: dt.date, count: int) -> dt.date:
        return min(workdays.add(day, count), self.today)

    def received(self, rng: random.Random, low: int, high: int) -> dt.date:
        """Received `low`…`high` working days before today, never after the last computable day."""
        return min(self.back(self.today, rng.randint(low, high)), self.last_receipt)

    def open_receipt(self, rng: random.Random) -> dt.date:
        """An open case: most on time, some due within 3 working days, some overdue (30-day clock)."""
        roll = rng.random()
        if roll < 0.2:
            return self.received(rng, 31, 45)  # overdue
        if roll < 0.4:
            return self.received(rng, 27, 30)  # due soon
        return self.received(rng, 5, 26)

    def computable(self, day: dt.date, count: int) -> bool:
        try:
            workdays.add(day, count)
            return True
        except workdays.CalendarError:
            return False


# ---- who applies -----------------------------------------------------------------------
def _not_from_cases(qs):
    """Benefits the register held before any case: one a demo application started does not count."""
    return qs.exclude(pk__in=Case.objects.filter(kind=Case.Kind.APPLY, benefit__isnull=False).values("benefit_id"))


def _held_before() -> Q:
    """Held before any demo case: not ended, or ended by a demo review (渐退, 停保, demo_life.py),
    so a second build picks the same applicants; households a case created (N…) never count."""
    reviewed = Case.objects.filter(kind__in=(Case.Kind.REVIEW, Case.Kind.CHANGE), benefit__isnull=False)
    return (Q(until__isnull=True) | Q(pk__in=reviewed.values("benefit_id"))) & ~Q(household__code__startswith="N")


def _persons_without(category: str, **filters):
    held = _not_from_cases(Benefit.objects.filter(person_id=OuterRef("pk"), category=category).filter(_held_before()))
    return (
        Person.objects.filter(household__region__code__startswith=DEMO_COUNTY, **filters)
        .exclude(household__code__startswith="N")  # households a demo case created
        .exclude(Exists(held))
        .select_related("household")
        .order_by("pk")
    )


def _heads(households):
    return Person.objects.filter(household__in=households, relation="head").select_related("household").order_by("pk")


def _pools(today: dt.date) -> dict[str, list[Person]]:
    from doudi.monitoring.models import Warning

    eighty = today.replace(year=today.year - 80)
    covered = _not_from_cases(
        Benefit.objects.filter(household_id=OuterRef("pk"), category__in=("dibao", "dibao_single", "tekun")).filter(
            _held_before()
        )
    )
    household_covered = _not_from_cases(
        Benefit.objects.filter(household_id=OuterRef("household_id"), category__in=("dibao", "dibao_single", "tekun")).filter(
            _held_before()
        )
    )
    medical = Household.objects.filter(pk__in=Warning.objects.filter(rule="high_medical").values("household_id"))
    edge = Household.objects.filter(region__code__startswith=DEMO_COUNTY).filter(
        Exists(
            Benefit.objects.filter(household_id=OuterRef("pk"), category__in=("dibao_edge", "low_income")).filter(_held_before())
        )
    )
    return {
        "elderly_age": list(_persons_without("elderly_age", birth_date__lte=eighty)),
        "disability_care": list(_persons_without("disability_care", disability_level__in=(1, 2))),
        # 困难残疾人生活补贴 is for disabled persons in 低保 households (the rules' condition).
        "disability_living": list(
            _persons_without("disability_living", disability_level__isnull=False).filter(
                Exists(Benefit.objects.filter(household_id=OuterRef("household_id"), category="dibao").filter(_held_before()))
            )
        ),
        "dibao_medical": list(_heads(medical.exclude(Exists(covered)))),
        "dibao_edge": list(_heads(edge.exclude(Exists(covered)))),
        "tekun": list(
            _persons_without("tekun", relation="head", birth_date__lte=today.replace(year=today.year - 60)).exclude(
                Exists(household_covered)
            )[:400]
        ),
    }


class Picker:
    """Draws applicants: the first two townships (clerk1's and clerk2's) more often, so their
    work queues are full; nobody twice in the same category."""

    def __init__(self, rng: random.Random, pools: dict[str, list[Person]], first: str, second: str):
        self.rng, self.used = rng, set()
        self.pools = {}
        for name, people in pools.items():
            shuffled = list(people)
            rng.shuffle(shuffled)
            self.pools[name] = {
                "a": [p for p in shuffled if p.household.region_id.startswith(first)],
                "b": [p for p in shuffled if p.household.region_id.startswith(second)],
                "c": [p for p in shuffled if not p.household.region_id.startswith((first, second))],
            }

    def take(self, pool: str) -> Person | None:
        parts, category = self.pools[pool], CATEGORY_OF.get(pool, pool)
        roll = self.rng.random()
        order = ["a", "b", "c"] if roll < 0.3 else ["b", "a", "c"] if roll < 0.45 else ["c", "a", "b"]
        for part in order:
            while parts[part]:
                person = parts[part].pop()
                if (person.pk, category) not in self.used:
                    self.used.add((person.pk, category))
                    return person
        return None


CATEGORY_OF = {"dibao_medical": "dibao", "dibao_edge": "dibao"}


def _plans(rng: random.Random, days: Days, users: dict) -> list[Plan]:
    first, second = users["clerk1"].region_id, users["clerk2"].region_id
    picker = Picker(rng, _pools(days.today), first, second)
    villages = list(
        Region.objects.filter(parent__parent_id=DEMO_COUNTY, level=Region.Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    mix_open = [
        "elderly_age",
        "elderly_age",
        "dibao_edge",
        "dibao_edge",
        "dibao_medical",
        "disability_care",
        "disability_living",
        "tekun",
    ]
    mix_eligible = ["elderly_age", "elderly_age", "elderly_age", "disability_care", "disability_living", "dibao_medical"]
    spec = [  # (target, count, pools)
        ("received", 22, mix_open),
        ("checked", 26, mix_open),
        ("surveyed", 22, mix_open),
        ("publicity", 22, mix_eligible),
        ("publicity_ended", 10, mix_eligible),
        ("returned", 14, ["dibao_edge", "dibao_medical", "tekun", "disability_living"]),
        ("resumed", 4, ["dibao_edge", "elderly_age"]),
        (
            "enrolled",
            60,
            [
                "elderly_age",
                "disability_care",
                "elderly_age",
                "disability_living",
                "elderly_age",
                "dibao_medical",
                "elderly_age",
                "disability_care",
            ],
        ),
        ("refused", 20, ["dibao_edge", "dibao_edge", "dibao_edge", "tekun"]),
        ("override_approve", 3, ["dibao_edge"]),
        ("override_refuse", 3, ["elderly_age"]),
        ("withdrawn", 10, ["dibao_edge", "elderly_age", "tekun"]),
        ("reopened", 2, ["dibao_edge"]),
    ]
    # The counts are for the 30,000-person demo county; a smaller county (a test's) gets fewer.
    scale = min(1.0, Person.objects.filter(household__region__code__startswith=DEMO_COUNTY).count() / 30000)
    plans = []
    for target, count, pools in spec:
        for n in range(max(1, round(count * scale))):
            pool = pools[n % len(pools)]
            person = picker.take(pool)
            if person is None:
                continue
            plans.append(
                _plan(
                    rng,
                    days,
                    target,
                    CATEGORY_OF.get(pool, pool),
                    person.id_number,
                    person.name,
                    person.household.region_id,
                    person,
                )
            )
    # New applicants not yet in the register (一门受理: any person may apply; 建档 before 审核确认).
    for n, target in enumerate(["received", "received", "checked", "checked", "returned", "withdrawn"]):
        number = idnumber.with_check_digit(
            f"{DEMO_COUNTY}{1958 + rng.randint(0, 40)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{900 + n:03d}"
        )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        plans.append(_plan(rng, days, target, "dibao", number, name, rng.choice(villages), None))
    return plans


def _plan(rng, days: Days, target: str, category: str, number: str, name: str, village: str, person) -> Plan:
    if target in ("received", "checked", "surveyed", "returned", "resumed", "withdrawn"):
        received = days.open_receipt(rng)
    elif target == "publicity":
        received = days.received(rng, 10, 26)
    elif target == "publicity_ended":
        received = days.received(rng, 14, 29)
    elif target == "reopened":
        received = days.received(rng, 40, 60)
    else:  # decided
        received = days.received(rng, 25, 120)
    roll = rng.random()
    channel = "online" if roll < 0.1 else "hotline" if roll < 0.15 else "village" if roll < 0.3 else "window"
    special = target in ("received", "checked", "surveyed") and rng.random() < 0.1 and days.computable(received, 45)
    return Plan(
        target, category, number, name, village, received, person, channel, special, rng.random() < 0.15, {"rng": rng.random()}
    )


# ---- moving a case ---------------------------------------------------------------------
def _clerk(users: dict, village: str) -> User:
    for name in ("clerk1", "clerk2"):
        if village.startswith(users[name].region_id):
            return users[name]
    return users["staff"]


def _receiver(users: dict, plan: Plan):
    if plan.channel == "online":
        return None
    if plan.channel == "village" and plan.village.startswith(users["helper1"].region_id):
        return users["helper1"]
    return _clerk(users, plan.village)


def _run(plan: Plan, users: dict, days: Days) -> Case:
    clerk, county = _clerk(users, plan.village), users["staff2"]
    reason = {
        "dibao": "家庭收入低，因病因残生活困难，申请低保",
        "tekun": "年老体弱，无劳动能力，无生活来源，无法定赡养人",
        "elderly_age": "年满 80 周岁，申请高龄津贴",
        "disability_care": "一级、二级重度残疾，需长期照护，申请护理补贴",
        "disability_living": "残疾，家庭生活困难，申请困难残疾人生活补贴",
    }[plan.category]
    data = {
        "category": plan.category,
        "id_number": plan.id_number,
        "name": plan.name,
        "region": plan.village,
        "reason": reason,
        "channel": plan.channel,
        "promise": plan.promise,
        "special": plan.special,
        "phone": f"13{plan.id_number[-9:]}",
    }
    day = plan.received_on
    case = services.case_receive(user=_receiver(users, plan), data=data, today=day)
    target = plan.target
    if target == "received":
        return case
    if target == "withdrawn":
        if plan.extra["rng"] < 0.5:
            case = services.case_check(case=case, user=clerk, today=days.ahead(day, 1))
        return decisions.case_withdraw(case=case, user=clerk, reason=WITHDRAW_REASONS[int(plan.extra["rng"] * 10) % 3])
    if target == "returned" and plan.extra["rng"] < 0.4:
        return decisions.case_return(case=case, user=clerk, reason=_pick(RETURN_REASONS, plan), today=days.ahead(day, 1))
    case = services.case_check(
        case=case,
        user=clerk,
        today=days.ahead(day, 1),
        findings="已调取公安、不动产、车辆、市场主体、社保等部门数据，未发现异常。",
    )
    if target == "checked":
        return case
    if target == "returned":
        return decisions.case_return(case=case, user=clerk, reason=_pick(RETURN_REASONS, plan), today=days.ahead(day, 2))
    if target == "resumed":
        case = decisions.case_return(case=case, user=clerk, reason=_pick(RETURN_REASONS, plan), today=days.ahead(day, 2))
        return decisions.case_resume(case=case, user=clerk, reason="申请人已补交材料", today=days.ahead(day, 5))
    if target == "refused" and plan.extra["rng"] < 0.4 and case.rules_eligible is not True:
        return _refuse(case, county, days.ahead(day, 4))
    notes = SURVEY_NOTES.get(plan.category, SURVEY_NOTES["dibao"]).format(
        n=case.household.members.count() if case.household_id else 1
    )
    case = services.case_survey(case=case, user=clerk, notes=notes)
    if plan.extra["rng"] < 0.3:
        evidence.document_add(
            case=case, user=clerk, upload=SimpleUploadedFile("入户调查照片.png", _png(plan.id_number)), title="入户调查照片"
        )
    if target == "surveyed":
        return case
    if target == "refused" and plan.extra["rng"] < 0.7 and case.rules_eligible is not True:
        return _refuse(case, county, days.ahead(day, 6))
    if target == "publicity":
        start = max(days.back(days.today, int(plan.extra["rng"] * 5)), days.ahead(day, 4))
        return services.case_publicize(case=_deliberated(case, clerk, start), user=clerk, today=start)
    if target == "publicity_ended":
        start = max(days.back(days.today, 6 + int(plan.extra["rng"] * 5)), days.ahead(day, 4))
        return services.case_publicize(case=_deliberated(case, clerk, start), user=clerk, today=start)
    start = days.ahead(day, 4 + int(plan.extra["rng"] * 5))
    case = services.case_publicize(case=_deliberated(case, clerk, start), user=clerk, today=start)
    decided = min(case.publicity_end + dt.timedelta(days=1 + int(plan.extra["rng"] * 5)), days.today)
    if target == "reopened":
        case = _refuse(case, county, decided)
        return decisions.case_reopen(
            case=case,
            user=clerk,
            reason="申请人提供了新的医疗支出证明，重新受理",
            today=min(days.ahead(decided, 3), days.last_receipt),
        )
    if target == "override_refuse" and case.rules_eligible:
        return decisions.case_refuse(
            case=case, user=county, reasons=OVERRIDE_REFUSE, override_reason=OVERRIDE_REFUSE, today=decided
        )
    if target == "override_approve" and case.rules_eligible is False:
        return decisions.case_approve(
            case=case,
            user=county,
            override_reason=OVERRIDE_APPROVE,
            monthly_amount=_override_amount(case),
            reason="经集体研究，同意纳入",
            today=decided,
        )
    if case.rules_eligible:
        return decisions.case_approve(case=case, user=county, today=decided)
    return _refuse(case, county, decided)


def _deliberated(case: Case, clerk, day: dt.date) -> Case:
    """民主评议 before 公示 where the county holds it on that day (cases.democratic_review)."""
    from doudi.cases import deliberation

    if not deliberation.in_use(case, day):
        return case
    return deliberation.case_deliberate(
        case=case,
        user=clerk,
        held_on=day,
        participants=7 + len(case.number) % 5,
        result="agree",
        minutes="村（居）民代表、村“两委”成员和驻村干部参加，对申请人家庭经济状况和入户调查结果进行评议，一致同意。",
        today=day,
    )


def _refuse(case: Case, user, day: dt.date) -> Case:
    text = case.rules_text.split("。", 1)[-1].strip() or case.rules_text
    reasons = f"经家庭经济状况核对和入户调查：{text}" if case.rules_eligible is False else "经入户调查，家庭收入高于当地低保标准"
    return decisions.case_refuse(case=case, user=user, reasons=reasons, today=day)


def _override_amount(case: Case) -> str:
    members = case.household.members.count() if case.household_id else 1
    return str(200 * members)


def _pick(options: list[str], plan: Plan) -> str:
    return options[int(plan.extra["rng"] * 100) % len(options)]


# ---- 临时救助 --------------------------------------------------------------------------
def _temp_plans(rng: random.Random, days: Days, users: dict) -> list[Plan]:
    """A season of 临时救助: (target, cause, tier, amount, …) for residents and non-residents."""
    from doudi.monitoring.models import Warning

    townships = list(
        Region.objects.filter(parent_id=DEMO_COUNTY, level=Region.Level.TOWNSHIP).order_by("code").values_list("code", flat=True)
    )
    first = users["clerk1"].region_id
    residents = list(
        Person.objects.filter(
            household__region__code__startswith=DEMO_COUNTY,
            relation="head",
            birth_date__gt=days.today.replace(year=days.today.year - 70),
        )
        .exclude(household__code__startswith="N")  # households a demo case created: a second build picks the same
        .select_related("household")
        .order_by("pk")[:3000]
    )
    rng.shuffle(residents)
    by_township: dict[str, list[Person]] = {}
    for person in residents:
        by_township.setdefault(person.household.region_id[:9], []).append(person)
    spec = [  # target, township index, cause, tier, amount, extra
        ("grant", 0, "fire", "general", "1000", {"in_kind": "棉被 2 床、棉衣 2 件", "in_kind_value": "600"}),
        ("grant", 0, "illness", "general", "1200", {}),
        ("advance_open", 0, "fire", "general", "1200", {"non_resident": True}),
        ("advance_done", 0, "accident", "general", "1000", {"non_resident": True}),
        ("county", 0, "illness", "serious", "3500", {}),
        ("conference", 0, "medical", "major", "10000", {"expense": "68000", "household_income_12m": "24000"}),
        ("grant", 1, "medical", "general", "1200", {"expense": "15000", "household_income_12m": "18000"}),
        (
            "grant",
            1,
            "education",
            "general",
            "1000",
            {"expense": "9000", "household_income_12m": "15000", "education_level": "college"},
        ),
        ("advance_open", 1, "disaster", "general", "800", {}),
        (
            "refuse",
            1,
            "education",
            "general",
            "1000",
            {"expense": "3000", "household_income_12m": "36000", "education_level": "high_school"},
        ),
        ("county", 2, "accident", "serious", "3000", {}),
        ("grant", 3, "fire", "serious", "1800", {"non_resident": True}),
        ("grant", 4, "other_emergency", "general", "800", {}),
        ("checked", 5, "medical", "serious", "2500", {"expense": "30000", "household_income_12m": "20000"}),
        ("received", 6, "illness", "general", "", {}),
    ]
    plans, taken = [], set()
    for n, (target, index, cause, tier, amount, extra) in enumerate(spec):
        township = {0: first, 1: users["clerk2"].region_id}.get(index) or townships[index % len(townships)]
        villages = list(Region.objects.filter(parent_id=township).order_by("code").values_list("code", flat=True))
        village = villages[n % len(villages)]
        if extra.get("non_resident"):
            number = idnumber.with_check_digit(f"140522{1970 + n}0{1 + n % 9}1{n % 9}{950 + n:03d}")
            name, person = rng.choice(SURNAMES) + rng.choice(GIVEN), None
        else:
            person = next((p for p in [*by_township.get(township, ()), *residents] if p.pk not in taken), None)
            if person is None:
                continue
            taken.add(person.pk)
            number, name, village = person.id_number, person.name, person.household.region_id
        incident = min(days.back(days.today, 2 + (n * 7) % 40), days.last_receipt)
        plans.append(
            Plan(
                target,
                "temp_assist",
                number,
                name,
                village,
                incident,
                person,
                extra={"cause": cause, "tier": tier, "amount": amount, **extra},
            )
        )
    # A 未参保失业人员 found by the data comparison: the case opened from the warning.
    warning = (
        Warning.objects.filter(rule="missed_unemployed", region_code__startswith=first)
        .select_related("person")
        .order_by("pk")
        .first()
        or Warning.objects.filter(rule="missed_unemployed").select_related("person").order_by("pk").first()
    )
    if warning is not None:
        plans.append(
            Plan(
                "from_warning",
                "temp_assist",
                warning.person.id_number,
                warning.person.name,
                warning.region_code,
                min(days.back(days.today, 4), days.last_receipt),
                warning.person,
                extra={"warning": warning.pk},
            )
        )
    return plans


def _reserves(temps: list[Plan], users: dict, days: Days) -> None:
    """Each township with 临时救助 holds a reserve (下拨 once per township: the token), confirmed by a
    second person."""
    from doudi.payments import reserve

    for township in sorted({p.village[:9] for p in temps}):
        entry, created = reserve.reserve_allocate(
            township=township,
            amount="20000",
            on=days.floor,
            ref="沁民发〔2026〕3号 2026年度临时救助备用金下拨",
            user=users["staff"],
            token=f"demo-cases-reserve-{township}",
        )
        if created:  # money needs a second person: staff2 confirms what staff allocated
            reserve.reserve_confirm(entry=entry, user=users["staff2"], note="演示：已核对下拨文件")


def _run_temp(plan: Plan, users: dict, days: Days) -> Case:
    clerk, county = _clerk(users, plan.village), users["staff"]
    if clerk == county:  # townships without a demo clerk: the county processes, staff2 approves
        county = users["staff2"]
    extra = plan.extra
    day = plan.received_on
    if plan.target == "from_warning":
        from doudi.monitoring.models import Warning

        case = temp.case_from_warning(warning=Warning.objects.get(pk=extra["warning"]), user=clerk, today=day)
        case = services.case_check(case=case, user=clerk, today=day)
        return temp.temp_grant(
            case=case,
            user=clerk,
            amount=case.rules_amount,
            reason="发放未参保失业人员一次性临时救助金",
            paid_by="reserve",
            today=day,
        )
    data = {
        "id_number": plan.id_number,
        "name": plan.name,
        "region": plan.village,
        "channel": "window",
        "reason": {
            "fire": "住房失火，衣物被褥烧毁，生活暂时困难",
            "illness": "突发重大疾病住院，家庭一时无力承担",
            "accident": "遭遇交通事故受伤，无力支付生活费用",
            "disaster": "暴雨致房屋受损，生活暂时困难",
            "medical": "患重病住院，医疗自付费用超出家庭承受能力",
            "education": "子女就读，教育费用超出家庭承受能力",
            "other_emergency": "家庭突遭变故，基本生活暂时困难",
        }[extra["cause"]],
        "cause": extra["cause"],
        "tier": extra["tier"],
        "incident_on": (day - dt.timedelta(days=1)).isoformat(),
        "requested_amount": extra["amount"],
        "hukou_place": "阳城县" if extra.get("non_resident") else "",
        **{k: extra[k] for k in ("expense", "household_income_12m", "education_level", "in_kind", "in_kind_value") if k in extra},
    }
    case = temp.temp_receive(user=clerk, data=data, today=day)
    if plan.target == "received":
        return case
    if plan.target.startswith("advance"):
        case = temp.temp_advance(case=case, user=clerk, amount=extra["amount"], reason="情况紧急，先行救助", today=day)
        if plan.target == "advance_done":
            evidence.document_add(
                case=case, user=clerk, upload=SimpleUploadedFile("临时救助申请书.pdf", _PDF), title="临时救助申请书"
            )
            case = temp.temp_complete(case=case, user=clerk, reason="申请书、身份证明和事故证明已补齐", today=days.ahead(day, 3))
        return case
    case = services.case_check(case=case, user=clerk, today=day)
    if plan.target == "checked":
        return case
    if plan.target == "refuse":
        return decisions.case_refuse(
            case=case,
            user=clerk,
            reasons="教育支出未超出家庭承受能力：" + "；".join(case.rules_data.get("reasons") or ["不符合支出型临时救助条件"]),
            today=days.ahead(day, 1),
        )
    decided = days.ahead(day, 2 + len(plan.name) * 3 % 7)  # paid over the following days (the weekly table counts them)
    if plan.target == "grant":
        return temp.temp_grant(case=case, user=clerk, amount=extra["amount"], paid_by="reserve", today=decided)
    case = temp.temp_refer(case=case, user=clerk)
    if plan.target == "conference":
        temp.conference_record(
            case=case,
            user=county,
            held_on=decided,
            attendees="县民政局局长、救助股股长、财务股股长、乡镇分管领导",
            decision="患者白血病治疗，自付费用远超家庭承受能力，同意一次性救助",
            agreed=True,
            amount=extra["amount"],
            today=decided,
        )
    return temp.temp_grant(case=case, user=county, amount=extra["amount"], paid_by="county", today=decided)


def _county_run(users: dict, days: Days, stdout) -> None:
    """Last month's 临时救助县级发放 run: the cases the county granted from its fund by then, built by
    `staff` and checked by `staff2` (money needs a second person); finance approves it in the demo.
    Idempotent: a run already checked is left as it is, a draft is rebuilt and checked."""
    from doudi.cases import temp_pay
    from doudi.payments.workflow import run_transition

    period = months.add(months.of(days.today), -1)
    result = temp_pay.county_run_build(user=users["staff"], period=period, today=days.today)
    run = result["run"]
    if run is None:
        return
    if run.state == "draft":
        run = run_transition(run=run, action="check", user=users["staff2"], reason="演示：已核对案件和收款账号")
    stdout.write(f"临时救助县级发放：{period} 花名册 {run.lines} 件、{run.amount} 元（{run.get_state_display()}）。\n")


# ---- files -----------------------------------------------------------------------------
_PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png(text: str, width: int = 96, height: int = 64) -> bytes:
    """A small grey photo placeholder, different per case (no image library needed)."""
    shade = 150 + sum(map(ord, text)) % 80
    rows = b"".join(
        b"\x00" + bytes([shade if (x // 8 + y // 8) % 2 else shade - 40 for x in range(width)]) for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
