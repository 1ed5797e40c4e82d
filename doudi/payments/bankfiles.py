"""惠民惠农财政补贴资金"一卡通" files: the send file in a configurable layout (CSV, xlsx,
fixed width) and the bank's return file (回盘), all or nothing.

Household money goes to the head's card, personal money to the person's own card (the
lines already carry the payee: payroll.py). One row per holder per run: a quarter or an
early payment of several months is one transfer. The row's 流水号 is "<run>-<holder>", so
a return file from another run cannot be applied by mistake.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import connection, transaction
from django.db.models import Max, Min, Sum

from doudi.core import codes
from doudi.core.models import Region
from doudi.payments import campaigns
from doudi.payments.models import BankReturn, PaymentLine, PayrollRun
from doudi.payments.runs import LINES, PayrollError
from doudi.payments.workflow import run_transition, runs_transition

LAYOUTS = Path(__file__).parent / "parameters" / "bank_layouts.yaml"
FIELDS = (
    "ref",
    "payee_name",
    "id_number",
    "bank_name",
    "bank_account",
    "amount",
    "amount_fen",
    "item",
    "months",
    "township",
    "holder",
)
# Paid outside the bank file: transfers to institutions (集中供养) and 消费券 handed out.
OFF_BANK = (PaymentLine.Payee.INSTITUTION, PaymentLine.Payee.VOUCHER)
ACCOUNT_FAILURE = "银行账号校验不通过（应为16–19位数字且校验位正确），请核对后下期补发"


class ReturnRejected(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


# Luhn: every second digit from the right doubled, digits of the product summed (2×7=14 → 5).
_DOUBLED = str.maketrans("0123456789", "0246813579")
# The Luhn sum of every 4-digit chunk (its 1st and 3rd digits doubled): with the account
# left-padded with zeros to a multiple of 4, the sum is the sum over chunks — 5 lookups
# instead of 19 digit operations (a province's month checks a million cards).
_CHUNKS = {
    f"{n:04d}": sum(
        int(d) for d in (f"{n:04d}"[0].translate(_DOUBLED) + f"{n:04d}"[1] + f"{n:04d}"[2].translate(_DOUBLED) + f"{n:04d}"[3])
    )
    for n in range(10000)
}


def valid_account(account: str) -> bool:
    """Bank and social-security cards: 16–19 digits with a Luhn check digit (ISO/IEC 7812,
    as stdnum.luhn; written out for speed)."""
    size = len(account)
    if not (16 <= size <= 19 and account.isascii() and account.isdigit()):
        return False
    padded = "000"[: -size % 4] + account if size % 4 else account
    return sum(_CHUNKS[padded[i : i + 4]] for i in range(0, size + (-size % 4), 4)) % 10 == 0


@dataclass(frozen=True)
class Layout:
    code: str
    name: str
    format: str
    encoding: str
    columns: tuple
    returns: dict


@lru_cache(maxsize=2)
def layouts(path: str = str(LAYOUTS)) -> dict[str, Layout]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = {}
    for code, body in (data.get("layouts") or {}).items():
        where = f"格式文件 {path}，layouts.{code}"
        if body.get("format") not in ("csv", "xlsx", "fixed"):
            raise PayrollError(f"{where}.format：应为 csv、xlsx 或 fixed")
        for i, column in enumerate(body.get("columns") or []):
            if column.get("field") not in FIELDS:
                raise PayrollError(f"{where}.columns[{i}].field：未知字段 {column.get('field')!r}（可用：{', '.join(FIELDS)}）")
            if body["format"] == "fixed" and not isinstance(column.get("width"), int):
                raise PayrollError(f"{where}.columns[{i}].width：定长格式每列须有宽度")
        returns = body.get("return") or {}
        if not {"ref", "status", "success"} <= set(returns):
            raise PayrollError(f"{where}.return：须给出 ref、status、success")
        out[code] = Layout(
            code, body.get("name", code), body["format"], body.get("encoding", "utf-8"), tuple(body["columns"]), returns
        )
    return out


def layout_get(code: str) -> Layout:
    found = layouts().get(code)
    if found is None:
        raise PayrollError(f"未知的代发文件格式 {code!r}（可用：{', '.join(layouts())}）")
    return found


def bank_send(*, run: PayrollRun, user) -> dict:
    """approved → sent. Lines with an account that fails validation fail now, with the
    reason, and are re-issued next run once corrected; institution lines are transferred
    by finance directly (集中供养) and vouchers handed out: both count as paid; the rest
    go into the bank file."""
    return bank_send_many(runs=[run], user=user)


def bank_send_many(*, runs: list[PayrollRun], user) -> dict:
    """bank_send for several runs in one transaction (a province's month at once)."""
    ids = [r.pk for r in runs]
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic():
        runs_transition(runs=runs, action="send", user=user, reason="生成一卡通代发文件")
        bad = _bad_lines(ids, marks)
        for start in range(0, len(bad), 5000):
            PaymentLine.objects.filter(pk__in=bad[start : start + 5000]).update(
                status=PaymentLine.Status.FAILED, failure=ACCOUNT_FAILURE, bank_ref=""
            )
        # Household items (低保) are paid to the head's card only: their runs hold no such lines.
        off_bank = [r.pk for r in runs if r.item not in codes.HOUSEHOLD_CATEGORIES]
        if off_bank:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {LINES} SET status = 'paid' WHERE run_id IN ({', '.join(['%s'] * len(off_bank))}) "
                    f"AND status = 'pending' AND payee IN ('institution', 'voucher')",
                    off_bank,
                )
    return {"failed_account": len(bad)}


def _bad_lines(ids: list[int], marks: str) -> list[int]:
    """Lines whose card fails the check, read in batches straight from the cursor."""
    bad = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, bank_account FROM {LINES} WHERE run_id IN ({marks}) AND status = 'pending' "
            f"AND payee NOT IN ('institution', 'voucher')",
            ids,
        )
        while rows := cursor.fetchmany(50000):
            bad.extend(pk for pk, account in rows if not valid_account(account))
    return bad


def bank_rows(run: PayrollRun):
    """One row per holder: what went to the bank, as layout fields."""
    townships = dict(Region.objects.filter(code__startswith=run.region_id[:6], level="township").values_list("code", "name"))
    label = codes.CATEGORY_SHORT.get(run.item) or campaigns.label(run.item)
    rows = (
        PaymentLine.objects.filter(run=run)
        .exclude(bank_ref="")
        .values("bank_ref", "holder_key", "payee_name", "bank_name", "bank_account", "township")
        .annotate(total=Sum("amount"), first=Min("month"), last=Max("month"), id_number=Max("payee_id_number"))
        .order_by("township", "holder_key")
    )
    for row in rows.iterator(chunk_size=5000):
        total = row["total"]
        yield {
            "ref": row["bank_ref"],
            "payee_name": row["payee_name"],
            "id_number": row["id_number"] or "",
            "bank_name": row["bank_name"],
            "bank_account": row["bank_account"],
            "amount": f"{total:.2f}",
            "amount_fen": str(int(total * 100)),
            "item": label,
            "months": row["first"] if row["first"] == row["last"] else f"{row['first']}至{row['last']}",
            "township": townships.get(row["township"], row["township"]),
            "holder": row["holder_key"],
        }


def bank_file(*, run: PayrollRun, layout: str, target) -> str:
    """Writes the send file to `target` (a path); returns the download name."""
    if run.state not in (PayrollRun.State.SENT, PayrollRun.State.RECONCILED):
        raise PayrollError("花名册经财政审批并报送后才能导出代发文件")
    spec = layout_get(layout)
    _refuse_unsafe_accounts(run)
    rows = bank_rows(run)
    if spec.format == "xlsx":
        from doudi.core.exports import write_xlsx

        # Amounts as number cells (the bank's and finance's SUM must add them up); every
        # other field, account and ID number included, as text.
        write_xlsx(
            target,
            f"代发{run.period}",
            [c["header"] for c in spec.columns],
            ([XLSX_NUMBERS.get(c["field"], str)(r[c["field"]]) for c in spec.columns] for r in rows),
        )
    elif spec.format == "csv":
        with open(target, "w", encoding=spec.encoding, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c["header"] for c in spec.columns])
            if connection.vendor == "postgresql":
                handle.flush()
                _copy_csv(run, spec, handle)
            else:
                writer.writerows([r[c["field"]] for c in spec.columns] for r in rows)
    else:
        with open(target, "wb") as handle:
            for r in rows:
                handle.write(b"".join(_fixed(str(r[c["field"]]), c, spec.encoding) for c in spec.columns) + b"\r\n")
    suffix = {"csv": "csv", "xlsx": "xlsx", "fixed": "txt"}[spec.format]
    return f"一卡通代发_{run.item}_{run.period}_{run.region_id}_{run.pk}.{suffix}"


XLSX_NUMBERS = {"amount": Decimal, "amount_fen": int}


def _refuse_unsafe_accounts(run: PayrollRun) -> None:
    """Accounts in a file must be digits: sending already failed the lines whose card is not
    valid, so this only catches an account changed since; a control character or a leading
    = or @ would be a formula or a broken row on the bank's side. Checked before writing,
    for every format (the PostgreSQL CSV never passes through Python)."""
    from doudi.core.exports import account_problem

    odd = (
        PaymentLine.objects.filter(run=run)
        .exclude(bank_ref="")
        .exclude(bank_account__regex=r"^[0-9]*$")
        .values_list("bank_ref", "bank_account")[:1000]
    )
    problems = [f"流水号 {ref}：{problem}" for ref, account in odd if (problem := account_problem(account))]
    if problems:
        raise PayrollError(
            "代发文件未生成，" + "；".join(problems[:5]) + (f" 等 {len(problems)} 笔" if len(problems) > 5 else "")
        )


def _copy_csv(run: PayrollRun, spec: Layout, handle) -> None:
    """The rows of bank_rows() written by PostgreSQL's COPY (a province's month is a
    million rows); same text, same order, as the Python writer."""
    label = (codes.CATEGORY_SHORT.get(run.item) or campaigns.label(run.item)).replace("'", "''")
    total = "SUM(l.amount)"
    first, last = "MIN(l.month)", "MAX(l.month)"
    fields = {
        "ref": "l.bank_ref",
        "payee_name": "l.payee_name",
        "id_number": "MAX(l.payee_id_number)",
        "bank_name": "l.bank_name",
        "bank_account": "l.bank_account",
        "amount": f"CAST({total} AS NUMERIC(14, 2))",
        "amount_fen": f"CAST({total} * 100 AS BIGINT)",
        "item": f"'{label}'",
        "months": f"CASE WHEN {first} = {last} THEN {first} ELSE {first} || '至' || {last} END",
        "township": "COALESCE(t.name, l.township)",
        "holder": "l.holder_key",
    }
    select = ", ".join(fields[c["field"]] for c in spec.columns)
    encoding = "GBK" if spec.encoding.lower() in ("gbk", "gb18030") else "UTF8"
    county = run.region_id[:6]
    assert county.isdigit()
    # The region join kept to the run's county: the province's region table holds every village.
    query = (
        f"COPY (SELECT {select} FROM {LINES} l "
        f"LEFT JOIN {Region._meta.db_table} t ON t.code = l.township AND t.level = 'township' "
        f"AND t.code BETWEEN '{county}' AND '{county}999999' "
        f"WHERE l.run_id = {int(run.pk)} AND l.bank_ref <> '' "
        f"GROUP BY l.bank_ref, l.holder_key, l.payee_name, l.bank_name, l.bank_account, l.township, t.name "
        f"ORDER BY l.township, l.holder_key) TO STDOUT (FORMAT CSV, NULL '\\N', ENCODING '{encoding}')"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
        for block in copy:
            handle.buffer.write(block) if hasattr(handle, "buffer") else handle.write(bytes(block).decode(spec.encoding))


def _fixed(text: str, column: dict, encoding: str) -> bytes:
    data = text.encode(encoding)
    width = column["width"]
    if len(data) > width:
        raise PayrollError(f"定长格式字段 {column['field']} 超过宽度 {width}：{text}")
    fill = str(column.get("fill", " ")).encode(encoding)
    return data.rjust(width, fill) if column.get("align") == "right" else data.ljust(width, fill)


def _return_rows(spec: Layout, name: str, content: bytes):
    """(row number, ref, ok, reason) from a return file in the layout's return format."""
    fmt = spec.returns.get("format", "csv")
    success = {str(s) for s in spec.returns["success"]}
    if fmt == "fixed":
        encoding = spec.returns.get("encoding", spec.encoding)

        def cut(raw: bytes, key: str) -> str:
            start, width = spec.returns[key]["start"], spec.returns[key]["width"]
            return raw[start : start + width].decode(encoding, "replace").strip()

        for number, raw in enumerate(content.splitlines(), start=1):
            if raw.strip():
                reason = cut(raw, "reason") if "reason" in spec.returns else ""
                yield number, cut(raw, "ref"), cut(raw, "status") in success, reason
        return
    if fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        table = [[str(c).strip() for c in row] for row in sheet]
        header_at = next((i for i, row in enumerate(table) if spec.returns["ref"] in row), None)
    else:
        text = content.decode(spec.returns.get("encoding", "utf-8-sig"))
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        header_at = 0 if table else None
    if header_at is None or any(spec.returns.get(k) not in table[header_at] for k in ("ref", "status")):
        raise ReturnRejected([f"回盘文件 {name} 缺少表头列「{spec.returns['ref']}」或「{spec.returns['status']}」"])
    header = table[header_at]
    at = {k: header.index(spec.returns[k]) for k in ("ref", "status", "reason") if spec.returns.get(k) in header}
    for number, row in enumerate(table[header_at + 1 :], start=header_at + 2):
        if any(row):
            cell = lambda k: row[at[k]] if k in at and at[k] < len(row) else ""  # noqa: E731, B023 - used at once, in this iteration
            yield number, cell("ref"), cell("status") in success, cell("reason")


def return_import(*, run: PayrollRun, layout: str, name: str, content: bytes, user) -> dict:
    """Applies a bank return file: failures marked with the bank's reason (re-issued in the
    next run), the rest paid. All or nothing; a file for another run, a row twice, a row
    already answered or an unknown row rejects the whole file."""
    if run.state != PayrollRun.State.SENT:
        raise ReturnRejected([f"花名册当前状态为“{run.get_state_display()}”，只有已报送银行的花名册才能导入回盘文件"])
    digest = hashlib.sha256(content).hexdigest()
    if BankReturn.objects.filter(run=run, sha256=digest).exists():
        raise ReturnRejected([f"回盘文件 {name} 已经导入过，未重复处理"])
    outcome = _check_return(run, layout_get(layout), name, content)
    with transaction.atomic():
        failed, paid = outcome
        for key, reason in failed.items():
            PaymentLine.objects.filter(run=run, holder_key=key, status=PaymentLine.Status.PENDING).update(
                status=PaymentLine.Status.FAILED, failure=(reason or "银行退回，未说明原因")[:200]
            )
        keys = list(paid)
        for start in range(0, len(keys), 2000):
            PaymentLine.objects.filter(
                run=run, holder_key__in=keys[start : start + 2000], status=PaymentLine.Status.PENDING
            ).update(status=PaymentLine.Status.PAID)
        BankReturn.objects.create(run=run, user=user, file_name=name[:255], sha256=digest, paid=len(paid), failed=len(failed))
        if not _at_bank(run).exists():
            run_transition(
                run=run, action="reconcile", user=user, reason=f"回盘文件 {name}：成功 {len(paid)} 笔，失败 {len(failed)} 笔"
            )
    return {"paid": len(paid), "failed": len(failed), "state": run.state}


def _at_bank(run: PayrollRun):
    """Lines in the run's bank file with no answer yet."""
    return PaymentLine.objects.filter(run=run, status=PaymentLine.Status.PENDING).exclude(bank_ref="")


def _check_return(run: PayrollRun, spec: Layout, name: str, content: bytes) -> tuple[dict, set]:
    prefix = f"{run.pk}-"
    open_refs = set(_at_bank(run).values_list("bank_ref", flat=True))
    sent_refs = open_refs | set(PaymentLine.objects.filter(run=run).exclude(bank_ref="").values_list("bank_ref", flat=True))
    errors, seen, failed, paid = [], {}, {}, set()
    for number, ref, ok, reason in _return_rows(spec, name, content):
        where = f"回盘文件 {name} 第{number}行 流水号 {ref or '（空）'}"
        if not ref.startswith(prefix):
            errors.append(f"{where}：不属于本花名册（编号 {run.pk}），回盘文件与花名册不符")
        elif ref in seen:
            errors.append(f"{where}：与第{seen[ref]}行重复")
        elif ref not in sent_refs:
            errors.append(f"{where}：本花名册的代发文件中没有这一笔")
        elif ref not in open_refs:
            errors.append(f"{where}：这一笔已有回盘结果，不能再次处理")
        else:
            (paid.add(ref[len(prefix) :]) if ok else failed.__setitem__(ref[len(prefix) :], reason))
        seen.setdefault(ref, number)
    if not seen and not errors:
        errors.append(f"回盘文件 {name} 没有任何数据行")
    if errors:
        raise ReturnRejected(errors)
    return failed, paid
