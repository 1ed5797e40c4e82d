"""Money (docs/domain.md §6): payroll runs and their lines, the runs' transition trail, bank
return files, price indices, overpayments.

A payment line pays one holder (a household or a person) one item (a category, a campaign
or the price subsidy) for one month. The partial unique constraint on (item, holder,
month) over lines that have not failed is what makes "never pay twice" a property of the
database, whatever path (rebuild, early payment, re-issue, overlapping regions) wrote them
(docs/design.md §1.4, 晋民发〔2022〕38号).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Household, Person

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class PayrollRun(models.Model):
    """发放花名册: one item, one period, one region. Built idempotently (build.py)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        CHECKED = "checked", "已复核"
        APPROVED = "approved", "财政已审批"
        SENT = "sent", "已报送银行"
        RECONCILED = "reconciled", "已对账"

    class Kind(models.TextChoices):
        REGULAR = "regular", "按月（季）发放"
        CAMPAIGN = "campaign", "一次性发放"
        PRICE_SUBSIDY = "price_subsidy", "价格临时补贴"
        RELIEF = "relief", "救灾资金发放"
        TEMP_ASSIST = "temp_assist", "临时救助县级发放"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    item = models.CharField("发放项目", max_length=40)  # category code, campaign code or price_subsidy
    period = models.CharField("期次", max_length=7)  # YYYY-MM: the first month paid
    through = models.CharField("截至月份", max_length=7)  # last month paid (early payment, quarters)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="区划")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    due = models.DateField("应发放日期", null=True, blank=True)
    lines = models.PositiveIntegerField("明细行数", default=0)
    holders = models.PositiveIntegerField("发放对象数", default=0)
    people = models.PositiveIntegerField("人数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    amount = models.DecimalField("金额", **MONEY)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "发放花名册"
        ordering = ["-period", "item", "region_id"]
        constraints = [models.UniqueConstraint(fields=["item", "period", "region"], name="payroll_run_key")]

    def __str__(self) -> str:
        return f"{self.item} {self.period} {self.region_id}"


class RunTransition(AppendOnly):
    """Who moved a run from which state to which, as what role, and why."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "花名册状态变更"
        ordering = ["id"]


class PaymentLine(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发放"  # in a run that went to the bank: 已报送, awaiting the return file
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"

    class Payee(models.TextChoices):
        HEAD = "head", "户主账户"
        PERSON = "person", "本人账户"
        INSTITUTION = "institution", "供养机构"
        VOUCHER = "voucher", "消费券"

    # No database-level foreign keys on lines: a per-row constraint check costs more than the
    # rest of the insert at province scale; lines are written only by runs.runs_build, inside
    # the transaction that holds their run.
    run = models.ForeignKey(
        PayrollRun, on_delete=models.DO_NOTHING, related_name="payment_lines", db_index=False, db_constraint=False
    )
    item = models.CharField("发放项目", max_length=40)
    month = models.CharField("所属月份", max_length=7)
    holder_key = models.CharField("发放对象", max_length=32)  # household code or ID number
    # Snapshots of who was paid: the payroll keeps its history whatever the register does.
    household = models.ForeignKey(
        Household, null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person, null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    name = models.CharField("姓名", max_length=100, blank=True)
    township = models.CharField("乡镇", max_length=9, blank=True)
    village = models.CharField("村(社区)", max_length=12, blank=True)
    payee = models.CharField("收款方", max_length=12, choices=Payee.choices)
    payee_name = models.CharField("收款人", max_length=100, blank=True)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    # The payee's ID number as the bank file needs it, written with the line: the file is
    # then read from the lines alone (no join to a registry of millions).
    payee_id_number = models.CharField("收款人身份证号", max_length=18, blank=True, default="")
    people = models.PositiveIntegerField("人数", default=1)
    amount = models.DecimalField("金额", **MONEY)
    fund = models.CharField("资金来源", max_length=24)
    group_code = models.CharField("对象类别", max_length=24, blank=True)  # price subsidy: the covered group
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    failure = models.CharField("失败原因", max_length=200, blank=True)
    bank_ref = models.CharField("银行流水号", max_length=48, blank=True)  # "<run>-<holder>"; empty when not banked
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="reissues", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "发放明细"
        # Lookups by item and holder use the partial unique index below.
        indexes = [
            models.Index(fields=["run", "holder_key"]),
            # Failed lines awaiting re-issue: few, but found among years of lines at every build.
            models.Index(fields=["item"], condition=Q(status="failed"), name="failed_line_by_item"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "holder_key", "month"],
                condition=~Q(status="failed"),
                name="one_live_payment_per_item_holder_month",
            ),
            # A failed line is re-issued once (payroll.REISSUE_SQL); only re-issues are indexed.
            models.UniqueConstraint(fields=["reissue_of"], condition=Q(reissue_of__isnull=False), name="reissued_once"),
        ]


class BankReturn(AppendOnly):
    """One bank return file applied to a run (回盘文件)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="bank_returns")
    at = models.DateTimeField("导入时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField("成功笔数", default=0)
    failed = models.PositiveIntegerField("失败笔数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "银行回盘"
        constraints = [models.UniqueConstraint(fields=["run", "sha256"], name="bank_return_once")]


class PriceIndex(models.Model):
    """A month's CPI and food-CPI year-on-year rise (percent) for the region whose index applies."""

    month = models.CharField("月份", max_length=7)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="指数适用区划")
    cpi = models.DecimalField("CPI同比涨幅(%)", max_digits=5, decimal_places=2)
    food = models.DecimalField("食品CPI同比涨幅(%)", max_digits=5, decimal_places=2)
    released_on = models.DateField("指数发布日期")
    entered_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "价格指数"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["month", "region"], name="price_index_month_region")]


class ExternalRecipient(models.Model):
    """People covered by the price subsidy whom our registry does not hold (失业保险金领取人员,
    优抚对象 …), from department lists (price.py `external_recipients_load`)."""

    group = models.CharField("对象类别", max_length=24)
    month = models.CharField("月份", max_length=7)
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=32)
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    hukou = models.CharField("户籍性质", max_length=8, default="urban")
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门名单人员"
        constraints = [models.UniqueConstraint(fields=["group", "month", "id_number"], name="external_recipient_once")]


class Overpayment(models.Model):
    """Money paid after a benefit should have stopped (e.g. a death found later) and its recovery."""

    class State(models.TextChoices):
        OPEN = "open", "待追回"
        PARTIAL = "partial", "部分追回"
        RECOVERED = "recovered", "已追回"
        WRITE_OFF = "writeoff", "待核销审批"  # proposed by one person, approved by another (writeoff.py)
        WAIVED = "waived", "已核销"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    category = models.CharField("保障类别", max_length=24)
    from_month = models.CharField("起始月份", max_length=7)
    reason = models.CharField("原因", max_length=200)
    amount = models.DecimalField("多发金额", **MONEY)
    recovered = models.DecimalField("已追回", **MONEY)
    # The open amount (amount − recovered) when the write-off was approved (核销, writeoff.py).
    written_off = models.DecimalField("已核销", **MONEY)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    township = models.CharField("乡镇", max_length=9)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "多发待追回"
        constraints = [models.UniqueConstraint(fields=["person", "category", "from_month"], name="overpayment_once")]


class OverpaymentTransition(AppendOnly):
    """A write-off's steps (核销: proposed, approved or returned): who, role, from, to, why, when,
    and what the step recorded (the approval document, the amount written off)."""

    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=200, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "多发核销记录"
        ordering = ["id"]


class Recovery(AppendOnly):
    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField("追回金额", **MONEY)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "追回记录"


class ReserveBalance(models.Model):
    """A township's 临时救助备用金 totals, the row every write to its reserve locks
    (reserve.py). The entries are the record; this row is their running sum."""

    township = models.OneToOneField(Region, primary_key=True, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    allocated = models.DecimalField("累计下拨", **MONEY)
    drawn = models.DecimalField("累计支取", **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "备用金余额"
        constraints = [models.CheckConstraint(condition=Q(drawn__lte=models.F("allocated")), name="reserve_not_overdrawn")]

    @property
    def balance(self):
        return self.allocated - self.drawn


class ReserveEntry(AppendOnly):
    """One movement of a township's 备用金 (docs/domain.md §5): 下拨/补充 by the county, or a 支取 for
    a 临时救助 paid at the place of the emergency (急难发生地; the recipient need not be in
    the registry). A correction is a new entry of the same kind with the opposite amount,
    pointing at the one it reverses, with a reason.

    What an entry says is never changed; its `state` moves only through the reserve workflow
    (reserve_check.py: 待复核 → 已复核 or 已退回, by a second person, a ReserveTransition per
    step), and only a confirmed entry has moved the balance."""

    class State(models.TextChoices):
        PENDING = "pending", "待复核"
        CONFIRMED = "confirmed", "已复核"
        REJECTED = "rejected", "已退回"

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "下拨/补充"
        DRAW = "draw", "支取"

    class Cause(models.TextChoices):
        EMERGENCY = "emergency", "急难型"
        EXPENSE = "expense", "支出型"

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    month = models.CharField("月份", max_length=7)  # of `on`: the fund ledger groups by it
    amount = models.DecimalField("金额", **MONEY)  # negative on a reversing entry
    ref = models.CharField("文号或说明", max_length=200, blank=True)
    recipient_name = models.CharField("收款人", max_length=100, blank=True)
    recipient_id_number = models.CharField("收款人身份证号", max_length=18, blank=True)
    cause_type = models.CharField("救助类型", max_length=10, choices=Cause.choices, blank=True)
    cause = models.CharField("事由", max_length=200, blank=True)
    advance = models.BooleanField("先行救助", default=False)
    fund = models.CharField("资金来源", max_length=24, blank=True)
    # One live reversal per entry (constraint `reversed_once`); a returned one may be entered again.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", verbose_name="冲销的记录"
    )
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)  # one form, one entry
    # The 临时救助 case the draw pays (doudi/cases/temp.py); empty for allocations and for
    # draws recorded before cases existed.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="reserve_entries", verbose_name="临时救助案件"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人")
    role = models.CharField("角色", max_length=20, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    state = models.CharField("复核状态", max_length=10, choices=State.choices, default=State.PENDING)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="复核人")
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)
    check_note = models.CharField("复核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备用金收支"
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["township", "on"]),
            models.Index(fields=["kind", "month"]),
            models.Index(fields=["township"], condition=Q(state="pending"), name="reserve_entry_pending"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False) & ~Q(state="rejected"), name="reversed_once"
            )
        ]


class ReserveTransition(AppendOnly):
    """A reserve entry's steps: recorded (待复核), confirmed or returned; who, role, from, to, why, when."""

    entry = models.ForeignKey(ReserveEntry, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=200, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "备用金复核记录"
        ordering = ["id"]
