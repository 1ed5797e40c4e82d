"""Who is "in" a set of categories in a month, as SQL: every member of a household holding
a household benefit (低保 …) plus every person holding a personal one (特困 …). One
definition, used by one-off campaigns and the price subsidy; the payroll pays holders
instead (payroll.py)."""

from __future__ import annotations

from doudi.payments import months
from doudi.payments.runs import LINE_COLUMNS, LINES, SKIP_PAID, execute, sql_date, subtree
from doudi.registry.extracts import BENEFITS as B
from doudi.registry.extracts import HOUSEHOLDS as H
from doudi.registry.extracts import PERSONS as P
from doudi.registry.extracts import in_force_sql


def _members(categories: tuple[str, ...]) -> str:
    marks = ", ".join(["%s"] * len(categories))
    cond = f"b.category IN ({marks}) AND {in_force_sql('b')}"
    return (
        f"SELECT b.person_id AS pid FROM {B} b WHERE b.person_id IS NOT NULL AND {cond} "
        f"UNION SELECT m.id AS pid FROM {B} b JOIN {P} m ON m.household_id = b.household_id "
        f"WHERE b.person_id IS NULL AND {cond}"
    )


def bank_ref(run, voucher: bool) -> str:
    """SQL of the line's 银行流水号 ("<run>-<holder>"), empty for 消费券 (not banked)."""
    return "''" if voucher else f"'{int(run.pk)}-' || {{key}}"


def insert_persons(
    *, run, categories: tuple[str, ...], month: str, amount_urban, amount_rural, fund: str, group: str = "", voucher: bool = False
) -> int:
    """One line per person in `categories` during `month`, under the run's region, not yet
    paid this item for this month (SKIP_PAID). Paid to the person's own card, or the head's
    card when the person has none (children, most members of a 低保 household)."""
    first, last = sql_date(months.first_day(month)), sql_date(months.last_day(month))
    payee = "'voucher'" if voucher else "CASE WHEN p.bank_account <> '' THEN 'person' ELSE 'head' END"
    ref = bank_ref(run, voucher)
    sql = f"""INSERT INTO {LINES} ({LINE_COLUMNS})
SELECT %s, %s, %s, p.id_number, h.id, p.id, p.name, substr(h.region_id, 1, 9), h.region_id, {payee},
       CASE WHEN p.bank_account <> '' THEN p.name ELSE COALESCE(hd.name, p.name) END,
       CASE WHEN p.bank_account <> '' THEN p.bank_name ELSE COALESCE(hd.bank_name, '') END,
       CASE WHEN p.bank_account <> '' THEN p.bank_account ELSE COALESCE(hd.bank_account, '') END,
       1, CASE WHEN h.hukou = 'urban' THEN %s ELSE %s END, %s, %s, 'pending', '', {ref.format(key="p.id_number")},
       CASE WHEN p.bank_account <> '' THEN p.id_number ELSE COALESCE(hd.id_number, p.id_number) END
FROM (SELECT DISTINCT pid FROM ({_members(categories)}) AS u) AS c
JOIN {P} p ON p.id = c.pid JOIN {H} h ON h.id = p.household_id
LEFT JOIN {P} hd ON hd.household_id = h.id AND hd.relation = 'head'
WHERE h.region_id BETWEEN %s AND %s {SKIP_PAID}"""
    cohort = [*categories, last, first] * 2
    return execute(sql, [run.pk, run.item, month, amount_urban, amount_rural, fund, group, *cohort, *subtree(run.region_id)])


def insert_households(*, run, categories: tuple[str, ...], month: str, amount, fund: str, voucher: bool = False) -> int:
    """One line per household with anyone in `categories` during `month`, paid to the head."""
    first, last = sql_date(months.first_day(month)), sql_date(months.last_day(month))
    payee = "'voucher'" if voucher else "'head'"
    ref = bank_ref(run, voucher)
    sql = f"""INSERT INTO {LINES} ({LINE_COLUMNS})
SELECT %s, %s, %s, h.code, h.id, hd.id, hd.name, substr(h.region_id, 1, 9), h.region_id, {payee}, hd.name,
       hd.bank_name, hd.bank_account, (SELECT COUNT(*) FROM {P} m WHERE m.household_id = h.id), %s, %s, '', 'pending', '',
       {ref.format(key="h.code")}, hd.id_number
FROM (SELECT DISTINCT x.household_id AS hid FROM ({_members(categories)}) AS u JOIN {P} x ON x.id = u.pid) AS c
JOIN {H} h ON h.id = c.hid JOIN {P} hd ON hd.household_id = h.id AND hd.relation = 'head'
WHERE h.region_id BETWEEN %s AND %s {SKIP_PAID}"""
    cohort = [*categories, last, first] * 2
    return execute(sql, [run.pk, run.item, month, amount, fund, *cohort, *subtree(run.region_id)])
