"""Runs every comparison rule on a doudi.batch engine and turns the rows into findings:
one per rule and person, with a level, a detail and an evidence fingerprint.

The fingerprint hashes only the rule's evidence columns (a death date, a plate, a business
name …), never derived facts such as months overpaid, so a warning that was dismissed is
not raised again next month unless the department data itself changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from doudi.monitoring.rules import COMMON_TABLES, LEVEL_ORDER, RULES, Rule, rule_sql

CENT = Decimal("0.01")
_FIXED = ("person_id", "household_id", "level")


@dataclass
class Finding:
    rule: str
    person_id: int
    household_id: int
    level: str
    detail: dict
    fingerprint: str
    id_number: str = ""
    name: str = ""
    household_code: str = ""
    village: str = ""
    county: str = ""
    items: list = field(default_factory=list, repr=False)

    @property
    def township(self) -> str:
        return self.village[:9]

    def sort_key(self):
        return (list(RULES).index(self.rule), self.township, self.household_code, self.id_number)


def plain(value):
    """A JSON-able value that is the same whichever engine produced it."""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def run_rules(engine, *, as_of: dt.date, rules=None, progress=None) -> list[Finding]:
    """Findings of the given rules (all by default), sorted by rule, township, household."""
    progress = progress or (lambda done, total, message: None)
    rules = list(rules or RULES.values())
    for name, sql in COMMON_TABLES.items():
        engine.create(name, sql)
    month = as_of.year * 12 + as_of.month
    ymd = as_of.year * 10000 + as_of.month * 100 + as_of.day
    findings: list[Finding] = []
    for done, rule in enumerate(rules):
        progress(done, len(rules), f"规则 {rule.code}（{rule.name}）")
        table = engine.query(rule_sql(rule, as_of=as_of, as_of_month=month, as_of_ymd=ymd))
        findings.extend(_group(rule, table))
    progress(len(rules), len(rules), "规则运行完毕")
    return sorted(findings, key=Finding.sort_key)


def _group(rule: Rule, table: pa.Table) -> list[Finding]:
    by_person: dict[int, list[dict]] = {}
    for row in table.to_pylist():
        by_person.setdefault(row["person_id"], []).append(row)
    return [_finding(rule, rows) for rows in by_person.values()]


def _finding(rule: Rule, rows: list[dict]) -> Finding:
    item_columns = [c for c in rows[0] if c not in _FIXED and c not in rule.facts]
    items = sorted({json.dumps({c: plain(r[c]) for c in item_columns}, ensure_ascii=False, sort_keys=True) for r in rows})
    items = [json.loads(i) for i in items]
    first = min(rows, key=lambda r: json.dumps({c: plain(r[c]) for c in item_columns}, sort_keys=True, ensure_ascii=False))
    facts = {c: plain(first[c]) for c in rule.facts}
    detail = {**items[0], **facts} if rule.single else {**facts, "items": items}
    evidence = sorted(json.dumps([i.get(c) for c in rule.evidence], ensure_ascii=False) for i in items)
    digest = hashlib.sha256(json.dumps([rule.code, rows[0]["person_id"], evidence]).encode()).hexdigest()[:20]
    level = max((r["level"] for r in rows), key=LEVEL_ORDER.index)
    return Finding(rule.code, int(rows[0]["person_id"]), int(rows[0]["household_id"]), level, detail, digest, items=items)


def attach_people(findings: list[Finding], persons: pa.Table) -> None:
    """Fills ID number, name, household code and village from the registry snapshot."""
    wanted = pa.array(sorted({f.person_id for f in findings}), pa.int64())
    subset = persons.filter(pc.is_in(persons.column("person_id"), value_set=wanted))
    people = {
        r["person_id"]: r
        for r in subset.select(["person_id", "id_number", "name", "village", "county", "household_code"]).to_pylist()
    }
    for finding in findings:
        person = people[finding.person_id]
        finding.id_number, finding.name = person["id_number"], person["name"]
        finding.village, finding.county = person["village"], person["county"]
        finding.household_code = person["household_code"]


def compute_findings(
    *, as_of: dt.date, engine_name: str = "duckdb", region_code: str = "", progress=None, spark_session=None
) -> tuple[list[Finding], dict]:
    """Loads the inputs, runs every rule, returns (findings, what was read). Writes nothing."""
    from doudi.batch.engines import open_engine
    from doudi.monitoring.inputs import load_inputs

    progress = progress or (lambda done, total, message: None)
    with open_engine(engine_name, spark_session=spark_session) as engine:
        inputs = load_inputs(engine, as_of=as_of, region_code=region_code, progress=lambda message: progress(0, None, message))
        findings = run_rules(engine, as_of=as_of, progress=progress)
    attach_people(findings, inputs["persons"])
    return findings, {"persons": inputs["persons"].num_rows, "datasets": inputs["datasets"]}
