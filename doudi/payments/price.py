"""价格临时补贴: the link between assistance standards and price rises (发改价格规〔2016〕1835号,
晋政办发〔2016〕174号, 发改价格〔2021〕1553号, 发改价格〔2022〕1250号).

Each month the CPI and food-CPI year-on-year rises are entered for the region whose
index applies. For each county below it the dated parameters say the triggers, the
covered groups, the deadline rule and the fund of each group. When either index reaches
its trigger, each covered person gets the month's 低保标准 (urban or rural by household
户籍) × the triggering rise (the higher if both), rounded, once whatever groups they
are in: groups are paid in the parameter's order, a person already paid is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from doudi.core import idnumber
from doudi.core.models import Region
from doudi.payments import cohorts, months, params
from doudi.payments.models import ExternalRecipient, PaymentLine, PayrollRun, PriceIndex
from doudi.payments.runs import LINE_COLUMNS, LINES, SKIP_PAID, PayrollError, execute, run_build, subtree, target_regions, totals
from doudi.rules.expr import round_money
from doudi.rules.policy import load_policy

ITEM = "price_subsidy"
E = ExternalRecipient._meta.db_table


@dataclass(frozen=True)
class Decision:
    county: str
    month: str
    cpi: Decimal
    food: Decimal
    trigger_cpi: Decimal
    trigger_food: Decimal
    rise: Decimal | None  # the triggering rise (percent), None when not triggered
    basis: str  # cpi | food | ""
    deadline: dt.date
    groups: tuple[str, ...]
    amount_urban: Decimal
    amount_rural: Decimal
    refs: tuple[str, ...]

    @property
    def triggered(self) -> bool:
        return self.rise is not None


def _deadline(released: dt.date, county: str) -> tuple[dt.date, str]:
    entry = params.entry("price_subsidy.deadline", county, released)
    if entry.value == "same_month":
        return months.last_day(months.of(released)), entry.ref
    return months.add_working_days(released, int(entry.value.split(":")[1])), entry.ref


def decide(*, county: str, month: str, cpi: Decimal, food: Decimal, released: dt.date) -> Decision:
    """The trigger, amounts and deadline for one county; parameters in force in the index month."""
    day = months.first_day(month)
    cpi_entry, food_entry = (params.entry(f"price_subsidy.trigger.{k}", county, day) for k in ("cpi", "food"))
    rises = [
        (value, basis)
        for value, trigger, basis in ((cpi, cpi_entry.value, "cpi"), (food, food_entry.value, "food"))
        if trigger > 0 and value >= trigger
    ]
    rise, basis = max(rises) if rises else (None, "")
    deadline, deadline_ref = _deadline(released, county)
    amounts = {}
    standards = load_policy(county[:6]).resolve(county[:6], day)
    mode = params.value("price_subsidy.rounding", county, day)
    for hukou in ("urban", "rural"):
        standard = standards[f"dibao.standard.{hukou}"].value
        amounts[hukou] = round_money(standard * rise / 100, mode) if rise is not None else Decimal(0)
    return Decision(
        county,
        month,
        cpi,
        food,
        cpi_entry.value,
        food_entry.value,
        rise,
        basis,
        deadline,
        params.value("price_subsidy.groups", county, day),
        amounts["urban"],
        amounts["rural"],
        (cpi_entry.ref, food_entry.ref, deadline_ref),
    )


def price_index_record(*, month: str, region: str, cpi, food, released: dt.date | None = None, user=None) -> PriceIndex:
    try:
        month = months.parse(month, "月份 --month")
        cpi, food = Decimal(str(cpi)), Decimal(str(food))
    except (months.BadMonth, ArithmeticError, ValueError) as exc:
        raise PayrollError(f"价格指数输入有误：{exc}") from None
    if not (Decimal(-50) <= cpi <= 50 and Decimal(-50) <= food <= 50):
        raise PayrollError("CPI 和食品 CPI 为同比涨幅百分数（如 6.3），应在 -50 到 50 之间")
    if not Region.objects.filter(code=region).exists():
        raise PayrollError(f"未知区划 {region}：数据库中没有该行政区划代码")
    released = released or months.first_day(months.add(month, 1)).replace(day=10)
    if released < months.last_day(month):
        raise PayrollError(f"指数发布日期 {released} 早于 {month} 月末，请核对")
    index, _ = PriceIndex.objects.update_or_create(
        month=month, region_id=region, defaults={"cpi": cpi, "food": food, "released_on": released, "entered_by": user}
    )
    return index


def price_subsidy_run(*, month: str, cpi, food, region: str | None = None, released: dt.date | None = None, user=None) -> dict:
    """Records the month's indices and builds the subsidy runs (docs/interfaces.md §1 `doudi price-subsidy`)."""
    region = region or _index_region()
    index = price_index_record(month=month, region=region, cpi=cpi, food=food, released=released, user=user)
    counties = [c for c in target_regions(region) if len(c) == 6] or [region[:6]]
    out = {
        "month": index.month,
        "region": region,
        "cpi": str(index.cpi),
        "food": str(index.food),
        "released": index.released_on.isoformat(),
        "counties": [],
    }
    for county in counties:
        decision = decide(county=county, month=index.month, cpi=index.cpi, food=index.food, released=index.released_on)
        run = None
        if decision.triggered:
            run = run_build(
                kind=PayrollRun.Kind.PRICE_SUBSIDY,
                item=ITEM,
                period=index.month,
                through=index.month,
                region=county,
                due=decision.deadline,
                user=user,
                fill=lambda r, d=decision: _fill(r, d),
            )
        out["counties"].append(_summary(decision, run))
    return out


def _index_region() -> str:
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True))
    if len(provinces) != 1:
        raise PayrollError("请用 --region 指明价格指数适用的区划（省、市或县代码）")
    return provinces[0]


def _fill(run: PayrollRun, decision: Decision) -> None:
    day = months.first_day(decision.month)
    for group in decision.groups:
        key = "assistance_groups" if group in params.REGISTRY_GROUPS else group
        fund = params.value(f"price_subsidy.fund.{key}", run.region_id, day)
        if group in params.REGISTRY_GROUPS:
            cohorts.insert_persons(
                run=run,
                categories=(group,),
                month=decision.month,
                amount_urban=decision.amount_urban,
                amount_rural=decision.amount_rural,
                fund=fund,
                group=group,
            )
        else:
            _insert_external(run, group, decision, fund)


def _insert_external(run: PayrollRun, group: str, decision: Decision, fund: str) -> int:
    sql = f"""INSERT INTO {LINES} ({LINE_COLUMNS})
SELECT %s, %s, %s, e.id_number, NULL, NULL, e.name, substr(e.region_id, 1, 9), e.region_id, 'person', e.name,
       e.bank_name, e.bank_account, 1, CASE WHEN e.hukou = 'urban' THEN %s ELSE %s END, %s, %s, 'pending', '',
       '{int(run.pk)}-' || e.id_number, e.id_number
FROM {E} e WHERE e."group" = %s AND e.month = %s AND e.region_id BETWEEN %s AND %s {SKIP_PAID}"""
    return execute(
        sql,
        [
            run.pk,
            ITEM,
            decision.month,
            decision.amount_urban,
            decision.amount_rural,
            fund,
            group,
            group,
            decision.month,
            *subtree(run.region_id),
        ],
    )


def _summary(decision: Decision, run: PayrollRun | None) -> dict:
    groups = {}
    if run is not None:
        from django.db.models import Count, Sum

        for row in PaymentLine.objects.filter(run=run).values("group_code").annotate(n=Count("id"), amount=Sum("amount")):
            groups[row["group_code"]] = {"people": row["n"], "amount": f"{row['amount']:.2f}"}
    return {
        "county": decision.county,
        "triggered": decision.triggered,
        "basis": decision.basis,
        "rise": str(decision.rise) if decision.rise is not None else None,
        "trigger_cpi": str(decision.trigger_cpi),
        "trigger_food": str(decision.trigger_food),
        "amount_urban": str(decision.amount_urban),
        "amount_rural": str(decision.amount_rural),
        "deadline": decision.deadline.isoformat(),
        "refs": list(dict.fromkeys(decision.refs)),
        "groups": groups,
        "totals": totals(run) if run else None,
    }


def persons(run: PayrollRun):
    """Per-person amounts of a subsidy run, for the command's JSON."""
    for line in (
        PaymentLine.objects.filter(run=run)
        .order_by("township", "holder_key")
        .values("holder_key", "name", "group_code", "amount", "township")
        .iterator(chunk_size=5000)
    ):
        yield {
            "id_number": line["holder_key"],
            "name": line["name"],
            "group": line["group_code"],
            "amount": f"{line['amount']:.2f}",
            "township": line["township"],
        }


def external_recipients_load(*, group: str, month: str, rows, user=None) -> int:
    """Replaces the month's department list of `group` (优抚对象, 失业保险金 or 失业补助金
    recipients): rows of dicts with 身份证号, 姓名, 行政区划代码 and optionally 户籍性质
    (城镇/农村, default 城镇), 开户银行, 银行账号. All or nothing; bad rows are named."""
    if group not in params.EXTERNAL_GROUPS:
        raise PayrollError(f"未知的部门名单类别 {group!r}（可用：{', '.join(params.EXTERNAL_GROUPS)}）")
    month = months.parse(month)
    errors, objects, seen = [], [], set()
    regions = set(Region.objects.values_list("code", flat=True))
    for number, row in enumerate(rows, start=2):
        number_, problem = idnumber.try_normalize(row.get("身份证号"))
        region = str(row.get("行政区划代码", "")).strip()
        hukou = {"城镇": "urban", "农村": "rural", "": "urban"}.get(str(row.get("户籍性质", "")).strip())
        for bad, text in (
            (problem, f"身份证号：{problem}"),
            (region not in regions, f"行政区划代码 {region!r} 未知"),
            (hukou is None, "户籍性质应为 城镇 或 农村"),
            (number_ in seen, "身份证号重复"),
        ):
            if bad:
                errors.append(f"第{number}行 {text}")
                break
        else:
            seen.add(number_)
            objects.append(
                ExternalRecipient(
                    group=group,
                    month=month,
                    id_number=number_,
                    name=str(row.get("姓名", "")).strip(),
                    region_id=region,
                    hukou=hukou,
                    bank_name=str(row.get("开户银行", "")).strip(),
                    bank_account=str(row.get("银行账号", "")).strip(),
                )
            )
    if errors:
        raise PayrollError(f"{params.EXTERNAL_GROUPS[group]}名单有误，未导入：" + "；".join(errors[:20]))
    with transaction.atomic():
        ExternalRecipient.objects.filter(group=group, month=month).delete()
        ExternalRecipient.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def external_recipients_from_datasets(*, month: str, region: str, user=None) -> dict[str, int]:
    """The month's 优抚对象 and 失业保险金 lists from the department datasets (doudi.datasets,
    kinds `youfu` and `unemployment`, the newest imports as of the month's last day):
    rows whose ID could not be normalised are left out (the dataset import reported them);
    unemployment rows count when the month lies between 起始月份 and 终止月份."""
    from doudi.datasets.models import DatasetImport
    from doudi.datasets.selectors import dataset_rows

    month = months.parse(month)
    loaded = {}
    for group in ("youfu", "unemployment"):
        table = dataset_rows(group, as_of=months.last_day(month), region_code=region).to_pylist()
        homes = dict(DatasetImport.objects.filter(pk__in={r["import_id"] for r in table}).values_list("pk", "region_code"))
        rows: dict[str, dict] = {}
        for row in table:
            current = group != "unemployment" or (
                row["from_month"] <= month and (not row["to_month"] or row["to_month"] >= month)
            )
            if row["id_number"] and current:
                rows[row["id_number"]] = {
                    "身份证号": row["id_number"],
                    "姓名": row["name"],
                    "行政区划代码": row["region_code"] or homes.get(row["import_id"]) or region,
                }
        loaded[group] = external_recipients_load(group=group, month=month, rows=list(rows.values()), user=user)
    return loaded
