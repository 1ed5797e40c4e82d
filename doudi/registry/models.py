"""The register: households, their members, and the benefits they currently hold."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from doudi.core import codes
from doudi.core.models import Region, User
from doudi.core.roles import EDIT_REGISTRY, Role, can

MONEY = {"max_digits": 12, "decimal_places": 2, "default": 0}


def _choices(table: dict) -> list[tuple]:
    return list(table.items())


class Household(models.Model):
    code = models.CharField("户编号", max_length=32)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="行政区划", db_index=True)
    hukou = models.CharField("户籍性质", max_length=8, choices=_choices(codes.HUKOU))
    address = models.CharField("详细地址", max_length=200, blank=True)
    financial_assets = models.DecimalField("金融资产", **MONEY)
    vehicle_count = models.PositiveIntegerField("机动车数量", default=0)
    vehicle_value = models.DecimalField("机动车价值", **MONEY)
    property_count = models.PositiveIntegerField("房产套数", default=0)
    business_count = models.PositiveIntegerField("市场主体数量", default=0)
    medical_expense_12m = models.DecimalField("近12月医疗自付", **MONEY)
    education_expense_12m = models.DecimalField("近12月教育支出", **MONEY)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭"
        ordering = ["code"]
        # Constraints rather than unique=True: no extra LIKE index on PostgreSQL, which
        # exact-match keys never use and every bulk import would have to maintain.
        constraints = [models.UniqueConstraint(fields=["code"], name="household_code_unique")]

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=32)
    name_initials = models.CharField("姓名拼音首字母", max_length=32, blank=True)
    sex = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    birth_date = models.DateField("出生日期")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name="所在家庭", db_index=False
    )
    relation = models.CharField("与户主关系", max_length=12, choices=_choices(codes.RELATIONS))
    disability_kind = models.CharField("残疾类别", max_length=12, blank=True, choices=_choices(codes.DISABILITY_KINDS))
    disability_level = models.PositiveSmallIntegerField(
        "残疾等级", null=True, blank=True, choices=_choices(codes.DISABILITY_LEVELS)
    )
    serious_illness = models.BooleanField("是否重病", default=False)
    self_care = models.CharField("自理能力", max_length=8, choices=_choices(codes.SELF_CARE), default="full")
    employed = models.BooleanField("是否就业", default=False)
    school_stage = models.CharField("在校阶段", max_length=12, blank=True, choices=_choices(codes.SCHOOL_STAGES))
    income_wage = models.DecimalField("月工资性收入", **MONEY)
    income_business = models.DecimalField("月经营净收入", **MONEY)
    income_property = models.DecimalField("月财产性收入", **MONEY)
    income_transfer = models.DecimalField("月转移性收入", **MONEY)
    income_exempt = models.DecimalField("月豁免收入", **MONEY)
    capable_supporter = models.BooleanField("有履行能力的法定义务人", default=False)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["household", "relation"]),  # also serves household_id alone
            # Searches are by prefix (LIKE '王文%'): one pattern index each, not the two
            # (plain + _like) that db_index=True makes on PostgreSQL — fewer to maintain on import.
            models.Index(fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="person_initials_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [models.UniqueConstraint(fields=["id_number"], name="person_id_number_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def income_total(self):
        return self.income_wage + self.income_business + self.income_property + self.income_transfer


class BenefitQuerySet(models.QuerySet):
    def in_force(self, first: dt.date, last: dt.date | None = None) -> "BenefitQuerySet":
        """ "A benefit in force" (the SQL twin is registry/extracts.py `in_force_sql`): on a
        day, or at any time from `first` to `last`. An end date still ahead (渐退, a stop
        from next month) is in force until then, which `until IS NULL` alone would miss."""
        return self.filter(Q(since__lte=last or first) & (Q(until__isnull=True) | Q(until__gte=first)))


class Benefit(models.Model):
    """A benefit a household (person empty) or a person holds, from `since` until `until`."""

    objects = BenefitQuerySet.as_manager()

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="benefits", verbose_name="家庭")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="benefits", verbose_name="个人"
    )
    category = models.CharField("保障类别", max_length=24, choices=_choices(codes.CATEGORIES))
    since = models.DateField("开始日期")
    until = models.DateField("终止日期", null=True, blank=True)
    monthly_amount = models.DecimalField("月保障金额", **MONEY)
    support_mode = models.CharField("供养方式", max_length=12, blank=True, choices=_choices(codes.SUPPORT_MODES))
    institution = models.CharField("供养机构", max_length=100, blank=True)
    # id_number of the person, or "" for a household benefit: lets one unique constraint
    # cover both kinds on SQLite and PostgreSQL alike.
    person_key = models.CharField(max_length=18, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "保障待遇"
        ordering = ["household_id", "category"]
        indexes = [models.Index(fields=["category"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person_key", "category"],
                condition=Q(until__isnull=True),
                name="one_active_benefit_per_holder_and_category",
            ),
        ]

    @property
    def category_label(self) -> str:
        return codes.CATEGORY_SHORT.get(self.category, self.category)


class HouseholdMove(models.Model):
    """A person leaving one household for another: the membership history."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="moves")
    from_household = models.ForeignKey(Household, null=True, on_delete=models.PROTECT, related_name="+")
    to_household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    from_relation = models.CharField(max_length=12, blank=True)
    to_relation = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员变动"


class ImportBatch(models.Model):
    """One registry import: the file, who loaded it, and what it changed."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已导入"
        UNCHANGED = "unchanged", "无变化"
        REJECTED = "rejected", "被拒绝"

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "台账导入批次"
        ordering = ["-at"]


class PendingBenefitChange(models.Model):
    """A new or higher benefit from the import of a user below the county: not in force
    until a county role confirms it (issue 12). Lowering or ending applies at once, and
    so does everything else in the file; only money granted waits for a second pair of eyes."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已驳回"
        SUPERSEDED = "superseded", "已被新申请取代"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="pending_benefits", verbose_name="家庭")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="个人")
    person_key = models.CharField(max_length=18, blank=True, default="")
    category = models.CharField("保障类别", max_length=24, choices=_choices(codes.CATEGORIES))
    # The benefit to raise, or None for a new one; old_amount lets the confirmation refuse
    # a benefit that changed meanwhile instead of overwriting it.
    benefit = models.ForeignKey(
        Benefit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="现有待遇"
    )
    old_amount = models.DecimalField("原月金额", max_digits=12, decimal_places=2, null=True, blank=True)
    since = models.DateField("开始日期")
    monthly_amount = models.DecimalField("申请月金额", max_digits=12, decimal_places=2)
    support_mode = models.CharField("供养方式", max_length=12, blank=True, choices=_choices(codes.SUPPORT_MODES))
    institution = models.CharField("供养机构", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间")
    batch = models.CharField("导入批次", max_length=40, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="处理人")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.CharField("处理意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待确认保障"
        ordering = ["-requested_at", "-id"]

    @property
    def category_label(self) -> str:
        return codes.CATEGORY_SHORT.get(self.category, self.category)

    @staticmethod
    def may_decide(user) -> bool:
        """County civil-affairs roles confirm; their own imports therefore apply directly."""
        return can(user, EDIT_REGISTRY) and (user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.COUNTY_STAFF))
