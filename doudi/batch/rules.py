"""The rule definitions (doudi/rules/definitions.py) compiled into set-based SQL.

Nothing here restates a rule: every field comes from `STAGES`, parsed by SQLGlot, and is
rewritten node by node into DuckDB-dialect SQL that the engines run (Spark gets it through
SQLGlot's transpiler):

- `PARAM('a.b')` → column `p_a_b` of the per-county parameters table (tables.py), joined
  inside each stage; list parameters are ',a,b,' text and `ARRAY_CONTAINS` a substring test.
- `ROUND_MONEY(x)` → a CASE over the county's `rounding.mode`, one arm per entry of
  `doudi.rules.expr.ROUNDING` (the table the Python evaluator uses).
- `ROUND(a / b, n)` → exact half-up decimal division. DuckDB divides DECIMALs in DOUBLE,
  so the quotient is estimated in DOUBLE and then corrected with exact decimal
  multiplication (the estimate is never off by a whole unit of 10⁻ⁿ). Division anywhere
  else is refused at compile time, like any node the Python evaluator would not accept.
- Household fields aggregating `m.` / `v.` rows → grouped subqueries joined back
  (COUNT of no rows is 0, as in Python).
- Fields reading fields of the same stage → a chain of WITH steps, one per dependency level;
  each stage ends in a checkpoint the engine materialises (evaluate.py).
- Every field is CAST to a fixed type (DECIMAL(18, s), BIGINT, BOOLEAN, VARCHAR) found by
  compiling against empty tables in DuckDB once, so DuckDB and Spark carry identical types
  and a DOUBLE sneaking in fails loudly instead of rounding differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP
from functools import lru_cache

import sqlglot
from sqlglot import expressions as exp

from doudi.batch.tables import INPUT_SCHEMAS, empty_tables
from doudi.rules.definitions import CATEGORIES, STAGES
from doudi.rules.errors import RulesError
from doudi.rules.expr import AGGREGATES, ROUNDING, params_used, parse

D = "duckdb"


def param_column(name: str) -> str:
    return "p_" + name.replace(".", "_")


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect=D)


def _round_money(inner: str) -> str:
    arms = []
    for mode, (quantum, how) in ROUNDING.items():
        places = -quantum.as_tuple().exponent
        if how == ROUND_HALF_UP:
            value = f"ROUND({inner}, {places})"
        elif how in (ROUND_CEILING, ROUND_FLOOR) and places == 0:
            value = f"{'CEIL' if how == ROUND_CEILING else 'FLOOR'}({inner})"
        else:  # a new mode in expr.ROUNDING needs its SQL form here
            raise ValueError(f"rounding mode {mode} has no SQL form")
        arms.append(f"WHEN {param_column('rounding.mode')} = '{mode}' THEN CAST({value} AS DECIMAL(18, 2))")
    return f"(CASE {' '.join(arms)} END)"


def _exact_round_div(a: str, b: str, places: int) -> str:
    """ROUND(a / b, places) half away from zero, exactly, with DECIMAL arithmetic only."""
    unit, half = f"{10**-places:.{places}f}", f"{5 * 10 ** -(places + 1):.{places + 1}f}"
    big_a, big_b = f"ABS({a})", f"ABS({b})"
    guess = f"CAST(ROUND(CAST({big_a} AS DOUBLE) / CAST(NULLIF({big_b}, 0) AS DOUBLE), {places}) AS DECIMAL(18, {places}))"
    fixed = (
        f"(CASE WHEN {big_a} < ({guess} - {half}) * {big_b} THEN {guess} - {unit} "
        f"WHEN {big_a} >= ({guess} + {half}) * {big_b} THEN {guess} + {unit} ELSE {guess} END)"
    )
    return f"(CASE WHEN ({a} < 0) <> ({b} < 0) THEN -{fixed} ELSE {fixed} END)"


def rewrite(tree: exp.Expression, aggregates: dict[str, str] | None = None) -> exp.Expression:
    """A definition's tree with PARAM, ROUND_MONEY, division and aggregates made plain SQL."""

    def visit(node):
        if isinstance(node, exp.Anonymous) and node.name.upper() == "PARAM":
            return exp.column(param_column(node.expressions[0].this))
        if isinstance(node, exp.Anonymous) and node.name.upper() == "ROUND_MONEY":
            return sqlglot.parse_one(_round_money(_sql(rewrite(node.expressions[0], aggregates))), read=D)
        if isinstance(node, exp.Round) and isinstance(node.this.unnest(), exp.Div):
            div = node.this.unnest()
            places = int(node.args["decimals"].this) if node.args.get("decimals") else 0
            a, b = (_sql(rewrite(x, aggregates)) for x in (div.this, div.expression))
            return sqlglot.parse_one(_exact_round_div(a, b, places), read=D)
        if isinstance(node, exp.ArrayContains) and _is_param(node.this):
            # List parameters are ',a,b,' text (tables.list_text); NULL item → NULL, as in Python.
            item = _sql(rewrite(node.expression, aggregates))
            column = param_column(node.this.expressions[0].this)
            return sqlglot.parse_one(f"(STRPOS({column}, ',' || {item} || ',') > 0)", read=D)
        if isinstance(node, exp.Div):
            raise ValueError(f"division must sit directly inside ROUND(…, n) for exact batch results: {node.sql()}")
        if isinstance(node, AGGREGATES):
            if aggregates is None:
                raise ValueError(f"aggregate outside a household stage: {node.sql()}")
            return exp.column(aggregates[_sql(node)])
        return node

    return tree.transform(visit)


def field_sql(name: str) -> str:
    """One rule field as a standalone DuckDB expression, for other set-based readers that
    must decide exactly as the rules do (doudi/monitoring: labour capacity): the fields it
    reads are written out in place, recursively, and `PARAM('a.b')` becomes column `p_a_b`
    of a parameters table shaped like tables.INPUT_SCHEMAS['params']. Only fields without
    aggregates can stand alone."""
    definitions = {n: sql for _g, fields in STAGES for n, sql, _z in fields}
    if name not in definitions:
        raise KeyError(f"no rule field {name}")

    def inlined(field: str, path: tuple[str, ...]) -> exp.Expression:
        tree = parse(definitions[field]).copy()
        if any(isinstance(n, AGGREGATES) for n in tree.walk()):
            raise ValueError(f"rule field {field} aggregates child rows and cannot stand alone")

        def visit(node):
            if isinstance(node, exp.Column) and not node.table and node.name in definitions:
                assert node.name not in path, f"rule fields refer to each other: {path + (node.name,)}"
                return exp.paren(inlined(node.name, path + (field,)))
            return node

        return tree.transform(visit)

    return _sql(rewrite(inlined(name, ())))


def _is_param(node) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.upper() == "PARAM"


def _unqualified(node: exp.Expression) -> exp.Expression:
    def strip(n):
        if isinstance(n, exp.Column) and n.table:
            return exp.column(n.name)
        return n

    return node.transform(strip)


@dataclass
class Relation:
    """A named relation of the chain and the columns it holds (besides household_id)."""

    name: str
    columns: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Ordered (name, sql) steps; the final household and member relations.

    `checkpoints` are the steps ending a stage: materialising them keeps each query (and
    Spark's plan) to one stage instead of the whole chain."""

    steps: list[tuple[str, str]]
    households: Relation
    members: Relation
    checkpoints: list[str]


def _levels(fields: list[tuple[str, str, str]]) -> list[list[tuple[str, str]]]:
    """Fields grouped so that each group only reads fields of earlier groups."""
    level: dict[str, int] = {}
    groups: list[list[tuple[str, str]]] = []
    for name, sql, _zh in fields:
        refs = {c.name for c in parse(sql).find_all(exp.Column) if not c.table}
        depth = 1 + max((level[r] for r in refs if r in level), default=-1)
        level[name] = depth
        while len(groups) <= depth:
            groups.append([])
        groups[depth].append((name, sql))
    return groups


class _Compiler:
    """Builds the chain on empty DuckDB tables to learn each field's type as it goes."""

    def __init__(self, prefix: str):
        import duckdb

        self.prefix, self.steps, self.con, self.count = prefix, [], duckdb.connect(), 0
        for name, table in empty_tables().items():
            self.con.register(f"{prefix}_{name}", table)

    def name(self) -> str:
        self.count += 1
        return f"{self.prefix}_s{self.count}"

    def add(self, sql: str) -> str:
        name = self.name()
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        self.steps.append((name, sql))
        return name

    def type_of(self, source: str, expr: exp.Expression) -> str:
        return self.con.execute(f"DESCRIBE SELECT {_sql(expr)} AS x FROM {source}").fetchall()[0][1].upper()

    def typed(self, source: str, exprs: dict[str, exp.Expression]) -> str:
        """SELECT *, CAST(expr AS fixed type) AS name … FROM source."""
        raw = ", ".join(f"{_sql(e)} AS {n}" for n, e in exprs.items())
        types = {r[0]: r[1] for r in self.con.execute(f"DESCRIBE SELECT {raw} FROM {source}").fetchall()}
        cols = ", ".join(_cast(_sql(e), types[n], n) for n, e in exprs.items())
        return self.add(f"SELECT *, {cols} FROM {source}")


def _cast(sql: str, duck_type: str, name: str) -> str:
    t = duck_type.upper()
    if t in ("BOOLEAN", "VARCHAR"):
        return f"{sql} AS {name}"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return f"CAST({sql} AS BIGINT) AS {name}"
    if t.startswith("DECIMAL"):
        scale = int(t.split(",")[1].rstrip(")"))
        return f"CAST({sql} AS DECIMAL(18, {scale})) AS {name}"
    raise ValueError(f"rule field {name} has type {duck_type} in SQL; only exact types are allowed")


def _join_cols(rel: Relation, alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in rel.columns)


def _refs(sql: str) -> set[str]:
    """Every column a definition reads, own-stage or aggregated child (`m.x` → x)."""
    return {col.name for col in parse(sql).find_all(exp.Column)}


def needed_fields(categories, households: bool = True) -> frozenset[str]:
    """The fields the outputs of `categories` depend on, transitively, plus the
    households' per_capita_income unless `households` is False. Compiling only these is what lets a one-category run
    (the dibao-only batch, a what-if on one category) do that category's work only."""
    unknown = [code for code in categories if code not in CATEGORIES]
    if unknown or not categories:
        raise RulesError(f"未知保障类别 {unknown or '（空）'}（可用：{'、'.join(CATEGORIES)}）")
    reads = {name: _refs(sql) for _g, fields in STAGES for name, sql, _z in fields}
    todo = [*_outputs(categories)] + (["per_capita_income"] if households else [])
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in reads and name not in needed:
            needed.add(name)
            todo += reads[name]
    return frozenset(needed)


def compile_plan(prefix: str = "rb", categories=None, households: bool = True) -> Plan:
    """The chain as views over `<prefix>_households`, `_members`, `_vehicles`, `_params`:
    every field (categories=None), or only those the given categories' decisions need, plus
    per_capita_income when the households table is wanted (`households`)."""
    if categories is None:
        return _compile_plan(prefix, None, True)
    return _compile_plan(prefix, tuple(sorted(set(categories))), households)


@lru_cache(maxsize=8)
def _compile_plan(prefix: str, categories: tuple[str, ...] | None, households: bool) -> Plan:
    stages = STAGES
    if categories is not None:
        keep = needed_fields(categories, households)
        stages = [(g, kept) for g, fields in STAGES if (kept := [f for f in fields if f[0] in keep])]
    c = _Compiler(prefix)
    hcols = [x for x in INPUT_SCHEMAS["households"].names if x != "household_id"]
    house = Relation(f"{prefix}_households", hcols)
    child = {
        "m": Relation(f"{prefix}_members", [x for x in INPUT_SCHEMAS["members"].names if x != "household_id"]),
        "v": Relation(f"{prefix}_vehicles", [x for x in INPUT_SCHEMAS["vehicles"].names if x != "household_id"]),
    }
    checkpoints = []
    for index, (grain, fields) in enumerate(stages):
        keep = _needed_after(stages, index, categories or tuple(CATEGORIES))
        if grain == "h":
            house = _household_stage(c, house, child, fields, keep)
        else:
            child[grain] = _child_stage(c, house, child[grain], fields, keep)
        checkpoints.append(house.name if grain == "h" else child[grain].name)
    return Plan(c.steps, house, child["m"], checkpoints)


def _needed_after(stages, index: int, categories) -> set[str]:
    """Columns a later stage or the decisions read: materialising only these keeps the
    stage tables narrow (writing wide temporary tables is most of a stage's cost)."""
    names = {"household_id", "region", "county", "person", "member_index", "per_capita_income"}
    for _grain, fields in stages[index + 1 :]:
        for _name, sql, _zh in fields:
            names |= _refs(sql)
    return names | _outputs(categories)


def _outputs(categories) -> set[str]:
    """The fields the decisions table reads for `categories` (evaluate._category_select)."""
    names: set[str] = set()
    for code in categories:
        cat = CATEGORIES[code]
        names |= {f"{code}_candidate", f"{code}_eligible", f"{code}_amount", *cat.extras.values()}
        names |= {f"{code}_fail_{reason}" for reason in cat.reasons}
    return names


def _params(c: _Compiler, fields) -> tuple[str, str]:
    """(select list, join) adding the county's parameters inside one stage only, and only
    those the stage's fields read: carrying ~55 parameter columns (some of them lists)
    through every materialised stage is what made a province slow."""
    used = dict.fromkeys(name for _n, sql, _z in fields for name in params_used(sql))
    cols = ", ".join(f"p.{param_column(name)}" for name in used) or "p.county AS p_county"
    return cols, f"JOIN {c.prefix}_params p ON p.county = h.county"


def _household_stage(c: _Compiler, house: Relation, child: dict, fields, keep) -> Relation:
    aggs: dict[str, dict[str, str]] = {"m": {}, "v": {}}
    names: dict[str, str] = {}
    for _name, sql, _zh in fields:
        for node in parse(sql).find_all(*AGGREGATES):
            table = next(col.table for col in node.find_all(exp.Column) if col.table)
            key = _sql(node)
            if key not in names:
                names[key] = f"agg_{table}_{len(names)}"
                aggs[table][names[key]] = key
    pcols, pjoin = _params(c, fields)
    house = _read(house, fields, keep)
    select = [f"h.{x}" for x in ["household_id"] + house.columns] + [pcols]
    joins = [pjoin]
    for table, items in aggs.items():
        if not items:
            continue
        inner = ", ".join(f"{_sql(_unqualified(sqlglot.parse_one(text, read=D)))} AS {alias}" for alias, text in items.items())
        joins.append(
            f"LEFT JOIN (SELECT household_id, {inner} FROM {child[table].name} GROUP BY household_id) {table} "
            f"ON {table}.household_id = h.household_id"
        )
        for alias, text in items.items():
            count = isinstance(sqlglot.parse_one(text, read=D), exp.Count)
            select.append(f"COALESCE({table}.{alias}, 0) AS {alias}" if count else f"{table}.{alias}")
    source = c.add(f"SELECT {', '.join(select)} FROM {house.name} h {' '.join(joins)}")
    out = _fields(c, source, house.columns, fields, names)
    cols = [col for col in out.columns if col in keep]
    return Relation(c.add(f"SELECT household_id, {', '.join(cols)} FROM {out.name}"), cols)


def _read(rel: Relation, fields, keep) -> Relation:
    """`rel` with only the columns the stage's fields read or that it passes on: carrying
    the rest through the join (its build side holds every household column) costs time."""
    reads = set(keep).union(*(_refs(sql) for _n, sql, _z in fields))
    return Relation(rel.name, [col for col in rel.columns if col in reads])


def _child_stage(c: _Compiler, house: Relation, rel: Relation, fields, keep) -> Relation:
    rel = _read(rel, fields, keep)
    shared = _read(Relation(house.name, [col for col in house.columns if col not in rel.columns]), fields, keep)
    pcols, pjoin = _params(c, fields)
    source = c.add(
        f"SELECT x.household_id, {_join_cols(rel, 'x')}, {_join_cols(shared, 'h')}, {pcols} "
        f"FROM {rel.name} x JOIN {house.name} h ON x.household_id = h.household_id {pjoin}"
    )
    out = _fields(c, source, rel.columns + shared.columns, fields, None)
    new = [name for name, _sql_text, _zh in fields]
    # Members carry their household's region so decisions group by township without a join.
    own = [col for col in rel.columns + (["region"] if "region" not in rel.columns else []) + new if col in keep]
    return Relation(c.add(f"SELECT household_id, {', '.join(own)} FROM {out.name}"), own)


def _fields(c: _Compiler, source: str, columns: list[str], fields, aggregates) -> Relation:
    """One SELECT per dependency level, except that levels reading only boolean logic of
    the level before are merged into it, that logic being written out in place: fewer
    nested projections for the engines to analyse, and no expression worth computing twice."""
    pending: dict[str, exp.Expression] = {}
    inline: dict[str, exp.Expression] = {}
    for group in _levels(fields):
        exprs = {name: rewrite(parse(sql), aggregates) for name, sql in group}
        reads = {col.name for e in exprs.values() for col in e.find_all(exp.Column)}
        if any(name in pending and name not in inline for name in reads):
            source, pending, inline = c.typed(source, pending), {}, {}
        for name, e in exprs.items():
            # Used at once, inside this iteration: the loop's current `inline` is the one meant.
            e = e.transform(lambda n: exp.paren(inline[n.name].copy()) if isinstance(n, exp.Column) and n.name in inline else n)  # noqa: B023
            pending[name] = e
            if _plain_logic(e) and c.type_of(source, e) == "BOOLEAN":
                inline[name] = e
    source = c.typed(source, pending)
    return Relation(source, columns + [name for name, _s, _z in fields])


_LOGIC = (
    exp.Column,
    exp.Identifier,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.Boolean,
    exp.Coalesce,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Literal,
)


def _plain_logic(e: exp.Expression) -> bool:
    """AND/OR/NOT/COALESCE and comparisons of columns: cheap enough to compute again where
    it is read, and (checked by the caller) BOOLEAN, which is never CAST, so writing it out
    in place keeps every type exactly as a separate level would."""
    return all(isinstance(n, _LOGIC) for n in e.walk())
