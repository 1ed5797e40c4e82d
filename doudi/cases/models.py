"""Applications (申请) and their cases: one row per application for any category of
docs/domain.md §3, its steps (append-only), its evidence files, and the per-county number counter.

The life of a case is docs/domain.md §4 (民发〔2021〕57号): 受理 → 家庭经济状况核对 → 入户调查 →
公示 → 审核确认 → 纳入保障 or 不予保障 with written reasons; withdrawal, return for more
documents (the clock pauses) and re-opening. The moves are doudi/cases/workflow.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.db import models
from django.db.models import Q

from doudi.core import codes
from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Benefit, Household, Person

# Every category of docs/domain.md §3 may be applied for (临时救助 has its own issue but the same model).
CATEGORY_CHOICES = [
    (code, codes.CATEGORIES[code])
    for code in (
        "dibao",
        "dibao_single",
        "dibao_edge",
        "tekun",
        "orphan",
        "unsupported_child",
        "disability_living",
        "disability_care",
        "elderly_age",
        "elderly_care",
        "low_income",
        "temp_assist",
    )
]

OPEN_STATES = ("received", "checked", "surveyed", "deliberated", "publicity", "returned", "advanced", "referred")


class Case(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "已受理，待核对"
        CHECKED = "checked", "已核对，待入户调查"
        SURVEYED = "surveyed", "已调查，待公示"
        # 民主评议 where the county's parameter cases.democratic_review is on (doudi/cases/deliberation.py).
        DELIBERATED = "deliberated", "已民主评议"
        PUBLICITY = "publicity", "公示中"
        RETURNED = "returned", "退回补充材料"
        ENROLLED = "enrolled", "已纳入保障"
        REFUSED = "refused", "不予保障"
        WITHDRAWN = "withdrawn", "已撤回"
        # 临时救助 only (doudi/cases/temp.py): paid first, papers later; sent to the county; granted.
        ADVANCED = "advanced", "已先行救助，待补齐材料"
        REFERRED = "referred", "已报县级审批"
        GRANTED = "granted", "已批准临时救助"
        # 在保对象的复核和变更 (doudi/cases/lifecycle.py): the outcomes of a review or change case.
        CONTINUED = "continued", "复核：继续保障"
        ADJUSTED = "adjusted", "复核：已调整保障金额"
        TAPERING = "tapering", "渐退"
        STOPPED = "stopped", "已停保"
        RESTORED = "restored", "已恢复保障"

    class Channel(models.TextChoices):
        WINDOW = "window", "窗口受理"
        VILLAGE = "village", "村（居）代办"
        HOTLINE = "hotline", "电话申请"
        ONLINE = "online", "网上申请"
        API = "api", "系统接口"
        FINDING = "finding", "批量评估或比对预警发现"
        SCHEDULE = "schedule", "定期核查计划"

    class Kind(models.TextChoices):
        APPLY = "apply", "申请"
        REVIEW = "review", "定期核查"
        CHANGE = "change", "变更核查"

    class StopReason(models.TextChoices):
        DEATH = "death", "死亡"
        MOVED = "moved", "迁出本县"
        ASSETS = "assets", "新增财产"
        INCOME = "income", "收入超过标准"
        OTHER = "other", "其他"

    OPEN_STATES = OPEN_STATES

    number = models.CharField("案件编号", max_length=24)
    category = models.CharField("申请类别", max_length=24, choices=CATEGORY_CHOICES)
    applicant_name = models.CharField("申请人", max_length=32)
    applicant_id_number = models.CharField("申请人身份证号", max_length=18)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="台账人员")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="台账家庭"
    )
    # The applicant's village: scoping by its code gives the responsible township (its first
    # 9 digits) and the village helper their own village's cases.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（居）")
    received_by_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="受理地")
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    reason = models.TextField("申请理由")
    promise = models.BooleanField("告知承诺", default=False)
    special = models.BooleanField("情况特殊（延长时限）", default=False)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.RECEIVED)
    version = models.PositiveIntegerField("版本", default=1)
    received_on = models.DateField("受理日期")
    survey_due = models.DateField("入户调查启动期限", null=True, blank=True)
    due = models.DateField("办结期限", null=True, blank=True)
    clock_note = models.CharField("期限说明", max_length=200, blank=True)
    paused_since = models.DateField("暂停计时自", null=True, blank=True)
    paused_days = models.PositiveIntegerField("已暂停工作日", default=0)
    returned_from = models.CharField("退回前状态", max_length=12, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    # The rules engine's view at 家庭经济状况核对 (docs/design.md §1.1: decisions come from the rules).
    rules_eligible = models.BooleanField("规则测算是否符合", null=True, blank=True)
    rules_amount = models.DecimalField("规则测算月金额", max_digits=12, decimal_places=2, null=True, blank=True)
    rules_text = models.TextField("规则测算说明", blank=True)
    rules_month = models.CharField("测算所用参数月份", max_length=7, blank=True)
    rules_data = models.JSONField("规则测算结果", default=dict, blank=True)
    findings = models.TextField("部门数据核对情况", blank=True)
    survey_notes = models.TextField("入户调查记录", blank=True)
    override = models.BooleanField("与规则测算结论不一致", default=False)
    override_reason = models.CharField("不一致的理由", max_length=500, blank=True)
    decided_on = models.DateField("审核确认日期", null=True, blank=True)
    refusal_reasons = models.TextField("不予保障理由", blank=True)
    refusal_notice_due = models.DateField("书面告知期限", null=True, blank=True)
    monthly_amount = models.DecimalField("核定月金额", max_digits=12, decimal_places=2, null=True, blank=True)
    benefit = models.ForeignKey(Benefit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="待遇")
    # 审批权限下放: confirmed by a township (the county spot-checks a sample, doudi/cases/spotcheck.py).
    decided_by_township = models.BooleanField("乡镇审核确认", default=False)
    # A new applicant (not in the register): the household entered at intake, created in the
    # register when the case is confirmed (doudi.registry.intake): {"hukou", "address", "members"}.
    new_household = models.JSONField("新建家庭信息", default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="受理人")
    # 在保对象的生命周期 (doudi/cases/lifecycle.py): a review (定期核查) or a change case (from a
    # finding: 应停发/应调整) concerns `benefit`, the benefit held; an application is kind "apply".
    kind = models.CharField("案件种类", max_length=8, choices=Kind.choices, default=Kind.APPLY)
    review_due = models.DateField("应核查日期", null=True, blank=True)
    stop_reason = models.CharField("停保原因", max_length=8, choices=StopReason.choices, blank=True)
    taper_start = models.CharField("渐退起始月份", max_length=7, blank=True)
    taper_months = models.PositiveSmallIntegerField("渐退月数", null=True, blank=True)
    benefit_until = models.DateField("待遇终止日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            # Double submission refused by the database itself, so two at once cannot both pass.
            models.UniqueConstraint(
                fields=["applicant_id_number", "category"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_case_per_applicant_category",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "state"], name="case_region_state"),
            models.Index(fields=["state", "due"], name="case_state_due"),
            models.Index(fields=["applicant_id_number"], name="case_applicant"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def township_code(self) -> str:
        return self.region_id[:9]

    @property
    def category_label(self) -> str:
        return codes.CATEGORY_SHORT.get(self.category, self.category)


class CaseStep(AppendOnly):
    """One move of a case: who, role, from, to, why, when (+ what the step recorded)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="办理人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    reason = models.CharField("意见", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "案件办理记录"
        ordering = ["at", "id"]


def _document_path(instance, filename: str) -> str:
    # A random name: the stored path says nothing about the case or the person, and is never
    # served directly (only through the scoped document view).
    return f"cases/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


class CaseDocument(AppendOnly):
    """An evidence file (证明材料, 调查照片, 承诺书) of a case, stored through Django's storage API."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField("文件", upload_to=_document_path)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    title = models.CharField("材料名称", max_length=60, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="上传人")
    at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件材料"
        ordering = ["at", "id"]


class CaseSource(models.Model):
    """The finding a case was opened from (批量开案): an evaluation difference, a confirmed
    warning, a review due. The key is unique, so the same finding never opens two cases,
    whoever opens it and however often (two bulk openings at once included)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sources", verbose_name="案件")
    key = models.CharField("来源", max_length=64)
    origin = models.CharField("来源批次", max_length=40, db_index=True)
    label = models.CharField("说明", max_length=200)
    at = models.DateTimeField("开案时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件来源"
        constraints = [models.UniqueConstraint(fields=["key"], name="case_source_key_unique")]


class EmergencySwitch(models.Model):
    """The county-wide emergency switch (沁政办发〔2021〕7号 §五): from `start` to `end` exits
    (停保, 渐退) are paused and periodic reviews extended. Turned on and off by the county
    administrator, each audited (AuditEntry, entity "emergency")."""

    county = models.CharField("县", max_length=6, db_index=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=500)
    on_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="开启人")
    on_at = models.DateTimeField("开启时间", auto_now_add=True)
    off_on = models.DateField("提前关闭日期", null=True, blank=True)
    off_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="关闭人")
    off_reason = models.CharField("关闭原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急开关"
        ordering = ["-start", "-id"]

    @property
    def last_day(self):
        """The last day it holds exits: its end, or the day before it was switched off."""
        import datetime as _dt

        if self.off_on is not None:
            return min(self.end, self.off_on - _dt.timedelta(days=1))
        return self.end

    def covers(self, day) -> bool:
        return self.start <= day <= self.last_day


class CaseCounter(models.Model):
    """The last number given per county and year (140521-2026-000123)."""

    county = models.CharField(max_length=6)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="case_counter_unique")]


# ---- 临时救助 (doudi/cases/temp.py; docs/cases.md §8) ------------------------------------------
from doudi.rules import temp_assist as _ta  # noqa: E402  (framework-free labels)


class TempAssist(models.Model):
    """The 临时救助 part of a temp_assist case: the cause at the place of the emergency
    (急难发生地 = the case's village; the person may live anywhere), the rules' decision,
    the amount and who approved it, how it was paid (a township reserve draw linked to the
    case, ReserveEntry.case, or the county's fund), 先行救助 and its papers."""

    class Approval(models.TextChoices):
        TOWNSHIP = "township", "乡镇（街道）审批"
        COUNTY = "county", "县级审批"
        CONFERENCE = "conference", "县级“一事一议”"

    class PaidBy(models.TextChoices):
        RESERVE = "reserve", "乡镇临时救助备用金"
        COUNTY = "county", "县级临时救助资金"

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.PROTECT, related_name="temp", verbose_name="案件")
    kind = models.CharField("救助类型", max_length=10, choices=list(_ta.KINDS.items()))
    cause = models.CharField("事由", max_length=16, choices=[(k, v[0]) for k, v in _ta.CAUSES.items()])
    tier = models.CharField("困难程度", max_length=10, choices=list(_ta.TIERS.items()), default="general")
    incident_on = models.DateField("急难发生日期")
    hukou_place = models.CharField("户籍地", max_length=100, blank=True)
    non_resident = models.BooleanField("非本县台账人员", default=False)
    requested_amount = models.DecimalField("申请金额", max_digits=12, decimal_places=2, null=True, blank=True)
    expense = models.DecimalField("需自付的必需支出", max_digits=12, decimal_places=2, null=True, blank=True)
    household_income_12m = models.DecimalField("家庭近12个月收入", max_digits=12, decimal_places=2, null=True, blank=True)
    education_level = models.CharField("教育阶段", max_length=12, choices=list(_ta.EDUCATION_LEVELS.items()), blank=True)
    self_chosen_school = models.BooleanField("自费择校", default=False)
    months_without_income = models.PositiveSmallIntegerField("连续无收入月数", null=True, blank=True)
    unemployment_insured = models.BooleanField("参加失业保险", default=False)
    in_dibao = models.BooleanField("已纳入低保", default=False)
    decision = models.JSONField("规则测算", default=dict, blank=True)
    amount = models.DecimalField("核定金额", max_digits=12, decimal_places=2, null=True, blank=True)
    approval = models.CharField("审批层级", max_length=10, choices=Approval.choices, blank=True)
    paid_by = models.CharField("支付方式", max_length=10, choices=PaidBy.choices, blank=True)
    fund = models.CharField("资金来源", max_length=24, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)  # county fund: the day it was granted (paid by a run)
    # County fund: the card the run pays to when the applicant's own (register) card is not used,
    # e.g. a non-resident helped where the emergency happened.
    bank_name = models.CharField("收款开户银行", max_length=40, blank=True)
    bank_account = models.CharField("收款银行账号", max_length=32, blank=True)
    in_kind = models.CharField("实物救助（临时住宿、饮食、御寒衣物等）", max_length=200, blank=True)
    in_kind_value = models.DecimalField("实物折价", max_digits=12, decimal_places=2, default=0)
    advance = models.BooleanField("先行救助", default=False)
    papers_due = models.DateField("补齐材料期限", null=True, blank=True)
    papers_completed_on = models.DateField("材料补齐日期", null=True, blank=True)
    repeat_of = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="同一事由的前次救助"
    )
    new_reason = models.TextField("新的困难情况", blank=True)
    related_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="在办的低保等申请"
    )
    warning = models.ForeignKey(
        "monitoring.Warning", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="来源预警"
    )

    class Meta:
        verbose_name = verbose_name_plural = "临时救助"
        indexes = [models.Index(fields=["cause", "paid_on"], name="temp_cause_paid")]

    @property
    def cause_label(self) -> str:
        return _ta.CAUSES[self.cause][0]

    @property
    def papers_missing(self) -> bool:
        return self.advance and self.papers_completed_on is None


class Conference(AppendOnly):
    """一事一议: the county's case conference that raises the amount above the county limit
    (晋民发〔2022〕38号 §7; 沁政办发〔2021〕7号 §五): who attended, what was decided."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="conferences", verbose_name="案件")
    held_on = models.DateField("会议日期")
    attendees = models.TextField("参会人员")
    decision = models.TextField("议定意见")
    agreed = models.BooleanField("同意救助")
    amount = models.DecimalField("议定金额", max_digits=12, decimal_places=2, default=0)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一事一议记录"
        ordering = ["-held_on", "-id"]


# 民主评议, 县级抽查, 转办: records beside a case (doudi/cases/models_side.py).
from doudi.cases.models_side import Deliberation, Referral, ReferralStep, SpotCheck, SpotCheckStep  # noqa: E402, F401
