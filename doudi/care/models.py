"""Special-group flags on persons, visits on the 附件1 form (临民发【2024】22号), and the
problems they find, tracked to closure (急难愁盼问题 found vs solved)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from doudi.care import groups
from doudi.core.models import AppendOnly, User
from doudi.registry.models import Person


class PersonGroup(models.Model):
    """One special-group flag of one person. A removed flag or a refused suggestion keeps
    its row (active False), so the register's suggestion does not come back each day."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_groups", verbose_name="人员")
    group = models.CharField("特殊群体", max_length=32, choices=list(groups.SPECIAL.items()))
    active = models.BooleanField("有效", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    set_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    set_at = models.DateTimeField("登记时间", default=timezone.now)
    # Where the flag came from: an import may change only the flags an import set (a flag set
    # by hand or from a suggestion stays until someone removes it by hand).
    source = models.CharField("来源", max_length=8, default="hand", choices=[("hand", "手工设置"), ("import", "台账导入")])

    class Meta:
        verbose_name = verbose_name_plural = "特殊群体标识"
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="care_one_flag_per_person_group")]
        indexes = [models.Index(fields=["group", "active"])]


class Visit(AppendOnly):
    """One 走访排查记录 (附件1). Signed by both sides, so never edited afterwards."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_visits", verbose_name="走访对象")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    township_code = models.CharField("乡镇(街道)", max_length=9)
    visited_on = models.DateField("走访时间")
    visitor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="走访排查人")
    role = models.CharField("角色", max_length=20, blank=True)
    # As the register said on the day (the printed form must not change when the register does).
    name = models.CharField("姓名", max_length=32)
    sex = models.CharField("性别", max_length=1)
    age = models.PositiveSmallIntegerField("年龄")
    categories = models.JSONField("人员类别", default=list)
    health = models.JSONField("身体健康状况", default=list)
    q1 = models.BooleanField(groups.QUESTIONS[1])
    q1_note = models.CharField("情况说明1", max_length=500, blank=True)
    q2 = models.BooleanField(groups.QUESTIONS[2])
    q2_note = models.CharField("情况说明2", max_length=500, blank=True)
    q3 = models.BooleanField(groups.QUESTIONS[3])
    q3_note = models.CharField("情况说明3", max_length=500, blank=True)
    q4 = models.BooleanField(groups.QUESTIONS[4])
    q4_note = models.CharField("情况说明4", max_length=500, blank=True)
    record = models.TextField("探访记录", blank=True)
    problems_text = models.TextField("存在问题", blank=True)
    measures = models.TextField("解决措施及时限", blank=True)
    visitor_signature = models.FileField("走访排查人签字", upload_to="care/signatures/%Y/%m/")
    person_signature = models.FileField("困难群众签字", upload_to="care/signatures/%Y/%m/")
    # Made by the phone when the form is opened: a draft sent again after a dropped
    # connection (the first send may have arrived) is recognised, not stored twice.
    client_key = models.CharField("提交标识", max_length=40)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访排查记录"
        ordering = ["-visited_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["client_key"], name="care_visit_client_key_unique")]
        indexes = [models.Index(fields=["person", "visited_on"])]

    def answer(self, number: int) -> bool:
        return getattr(self, f"q{number}")

    def note(self, number: int) -> str:
        return getattr(self, f"q{number}_note")


class VisitPhoto(AppendOnly):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("照片", upload_to="care/photos/%Y/%m/")
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = verbose_name_plural = "走访照片"


class Problem(models.Model):
    """A 急难愁盼 problem found on a visit: owner, deadline, what was done."""

    class State(models.TextChoices):
        OPEN = "open", "待交办"
        ASSIGNED = "assigned", "办理中"
        SOLVED = "solved", "已解决"

    class Owner(models.TextChoices):
        # 责任单位 as the notice names them: the township, or a 股室 of the county bureau.
        TOWNSHIP = "township", "所在乡镇（属地）"
        RESCUE_CENTER = "rescue_center", "救助中心"
        SOCIAL = "social", "社会股"
        ELDERLY = "elderly", "养老股"
        AGING = "aging", "老龄股"
        OFFICE = "office", "办公室"

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="problems", verbose_name="走访记录")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_problems", verbose_name="人员")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    township_code = models.CharField("乡镇(街道)", max_length=9)
    question = models.PositiveSmallIntegerField("排查事项", choices=list(groups.SHORT_QUESTIONS.items()))
    description = models.CharField("问题", max_length=1000)
    owner = models.CharField("责任单位", max_length=16, choices=Owner.choices, default=Owner.TOWNSHIP)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    found_on = models.DateField("发现日期")
    # None when the calendar does not know the year yet (workdays.CalendarError): never guessed.
    deadline = models.DateField("办结期限", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    solved_on = models.DateField("解决日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # A case started from the problem (care/casework.py): its number and kind, set once.
    case_number = models.CharField("发起的案件", max_length=40, blank=True)
    case_category = models.CharField("案件类别", max_length=16, blank=True)
    case_started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case_started_at = models.DateTimeField("发起时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访发现问题"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["township_code", "found_on"]), models.Index(fields=["township_code", "solved_on"])]

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.SOLVED and self.deadline is not None and self.deadline < timezone.localdate()


class ProblemTransition(AppendOnly):
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "问题办理记录"
        ordering = ["at", "id"]


class FamilyContact(models.Model):
    """A family member living apart and the support duty they owe (REG-7; 附件1 question 2):
    who the helper asks about, and whom to call."""

    class Duty(models.TextChoices):
        SUPPORT = "support", "赡养"
        RAISE = "raise", "抚养"
        MAINTAIN = "maintain", "扶养"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="family_contacts", verbose_name="困难群众")
    name = models.CharField("姓名", max_length=32)
    relation = models.CharField("关系", max_length=16)
    duty = models.CharField("义务", max_length=10, choices=Duty.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("居住地", max_length=100, blank=True)
    active = models.BooleanField("有效", default=True)
    # An import changes only the rows an import made (care/imported.py); those typed in stay.
    source = models.CharField("来源", max_length=8, default="hand", choices=[("hand", "手工登记"), ("import", "台账导入")])
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分开居住的家庭成员"
        ordering = ["id"]


from doudi.care.models_campaign import Campaign, CampaignTarget, CampaignVisit  # noqa: E402,F401

# The models of agreements.py, children.py and placement.py (issue 16 items 5–7) live in
# their own module; imported here so Django finds them under the care app.
from doudi.care.models_support import (  # noqa: E402,F401
    CareAgreement,
    ChildDirector,
    ChildGuardian,
    ChildPairing,
    PlacementWish,
)
