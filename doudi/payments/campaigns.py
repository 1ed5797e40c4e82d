"""One-off payments (专项一次性补贴): target categories, amount per person or household, fund
split, deadline, cash or 消费券. Defined in `parameters/campaigns.yaml`; shipped examples
are the two 晋民发〔2022〕38号 campaigns (300 yuan per 低保/特困 person by 20 August,
province:county 6:4; 1500 yuan 爱心消费券 per 特困 person) and a Spring Festival holiday
subsidy (沁政办发〔2021〕7号)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from doudi.payments import cohorts, months, params, relief, temp_assist
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import PayrollError, run_build, target_regions, totals

FILE = Path(__file__).parent / "parameters" / "campaigns.yaml"
TARGETS = params.PAID_CATEGORIES + ("dibao_edge",)
REQUIRED = ("code", "name", "ref", "region", "month", "targets", "unit", "amount", "fund", "deadline", "form")


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    ref: str
    region: str
    month: str
    targets: tuple[str, ...]
    unit: str  # person | household
    amount: Decimal
    fund: str
    deadline: dt.date
    form: str  # cash | voucher
    note: str = ""

    @property
    def form_label(self) -> str:
        return "消费券" if self.form == "voucher" else "现金"


def _parse(item, index: int, file: str) -> Campaign:
    where = f"参数文件 {file}，campaigns[{index}]"
    if not isinstance(item, dict):
        raise PayrollError(f"{where}：应为映射")
    missing = [k for k in REQUIRED if item.get(k) in (None, "", [])]
    if missing:
        raise PayrollError(f"{where}.{missing[0]}：缺少该项")
    checks = [
        ("code", str(item["code"]).isidentifier(), "代码应为英文字母、数字和下划线"),
        ("region", str(item["region"]).isdigit() and len(str(item["region"])) in (2, 4, 6), "区划代码应为2、4或6位数字"),
        (
            "targets",
            isinstance(item["targets"], list) and set(item["targets"]) <= set(TARGETS),
            f"对象类别可用：{', '.join(TARGETS)}",
        ),
        ("unit", item["unit"] in ("person", "household"), "应为 person（按人）或 household（按户）"),
        ("form", item["form"] in ("cash", "voucher"), "应为 cash（现金）或 voucher（消费券）"),
    ]
    for key, ok, text in checks:
        if not ok:
            raise PayrollError(f"{where}.{key}：{text}，文件写的是 {item[key]!r}")
    try:
        month = months.parse(item["month"])
        deadline = dt.date.fromisoformat(str(item["deadline"]))
        amount = Decimal(str(item["amount"]))
    except (months.BadMonth, ValueError, InvalidOperation) as exc:
        raise PayrollError(f"{where}：月份、截止日期或金额格式不对（{exc}）") from None
    if amount <= 0:
        raise PayrollError(f"{where}.amount：金额应大于 0")
    return Campaign(
        str(item["code"]),
        str(item["name"]),
        str(item["ref"]),
        str(item["region"]),
        month,
        tuple(item["targets"]),
        item["unit"],
        amount,
        str(item["fund"]),
        deadline,
        item["form"],
        str(item.get("note", "")),
    )


@lru_cache(maxsize=2)
def campaigns(file: str = str(FILE)) -> dict[str, Campaign]:
    data = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
    out: dict[str, Campaign] = {}
    for index, item in enumerate(data.get("campaigns") or []):
        campaign = _parse(item, index, file)
        if campaign.code in out:
            raise PayrollError(f"参数文件 {file}，campaigns[{index}].code：代码 {campaign.code} 重复")
        params.fund_shares(campaign.fund, months.first_day(campaign.month))  # unknown fund: a clear error
        out[campaign.code] = campaign
    return out


def label(code: str) -> str:
    if code.startswith(relief.PREFIX):  # a disaster event's run (payments/relief.py)
        return relief.label(code)
    if code == temp_assist.ITEM:  # county-paid 临时救助 cases (payments/temp_assist.py)
        return temp_assist.LABEL
    found = campaigns().get(code)
    return found.name if found else code


def campaign_get(code: str) -> Campaign:
    found = campaigns().get(code)
    if found is None:
        raise PayrollError(f"未知的一次性发放项目 {code!r}（可用：{', '.join(campaigns())}）")
    return found


def campaign_build(*, code: str, region: str | None = None, user=None) -> list[dict]:
    campaign = campaign_get(code)
    if region and not (region.startswith(campaign.region) or campaign.region.startswith(region)):
        raise PayrollError(f"{campaign.name}只适用于区划 {campaign.region}")
    results = []
    for county in target_regions(region or campaign.region):
        if not county.startswith(campaign.region):
            continue
        run = run_build(
            kind=PayrollRun.Kind.CAMPAIGN,
            item=campaign.code,
            period=campaign.month,
            through=campaign.month,
            region=county,
            due=campaign.deadline,
            user=user,
            fill=lambda run: _fill(run, campaign),
        )
        if run is not None:
            results.append(totals(run))
    return results


def _fill(run: PayrollRun, campaign: Campaign) -> None:
    voucher = campaign.form == "voucher"
    if campaign.unit == "person":
        cohorts.insert_persons(
            run=run,
            categories=campaign.targets,
            month=campaign.month,
            amount_urban=campaign.amount,
            amount_rural=campaign.amount,
            fund=campaign.fund,
            voucher=voucher,
        )
    else:
        cohorts.insert_households(
            run=run,
            categories=campaign.targets,
            month=campaign.month,
            amount=campaign.amount,
            fund=campaign.fund,
            voucher=voucher,
        )


def progress(campaign: Campaign, lines=None, today: dt.date | None = None) -> dict:
    """Paid against the deadline, over the campaign's lines (`lines`: already scoped)."""
    today = today or dt.date.today()
    lines = (PaymentLine.objects.all() if lines is None else lines).filter(item=campaign.code)
    total = lines.exclude(status=PaymentLine.Status.FAILED, reissues__isnull=False).count()
    paid = lines.filter(status=PaymentLine.Status.PAID).count()
    return {
        "code": campaign.code,
        "name": campaign.name,
        "deadline": campaign.deadline,
        "lines": total,
        "paid": paid,
        "percent": round(paid * 100 / total) if total else 0,
        "days_left": (campaign.deadline - today).days,
        "late": today > campaign.deadline and paid < total,
    }
