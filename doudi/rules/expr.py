"""Evaluate rule expressions (SQL text parsed by SQLGlot) on one household in Python.

The rule definitions are SQL expressions; SQLGlot parses them once. This module turns the
parsed tree into Python closures over `Decimal` with SQL's NULL semantics, so the single-
household path and the set-based batch (SQLGlot → DuckDB / Spark SQL) read the same text.
Only the node types below are allowed; a definition using anything else fails at import.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

import sqlglot
from sqlglot import expressions as exp

ROUNDING = {  # rounding.mode → (quantum, rounding); SQL form in batch.py mirrors this
    "yuan_half_up": (Decimal("1"), ROUND_HALF_UP),
    "yuan_ceiling": (Decimal("1"), ROUND_CEILING),
    "yuan_floor": (Decimal("1"), ROUND_FLOOR),
    "jiao_half_up": (Decimal("0.1"), ROUND_HALF_UP),
    "fen_half_up": (Decimal("0.01"), ROUND_HALF_UP),
}
AGGREGATES = (exp.Sum, exp.Max, exp.Min, exp.Count)


def round_money(value: Decimal | None, mode: str) -> Decimal | None:
    if value is None:
        return None
    quantum, how = ROUNDING[mode]
    return value.quantize(quantum, rounding=how)


def _null_safe(op):
    def run(a, b):
        return None if a is None or b is None else op(a, b)

    return run


_BINARY = {
    exp.Add: _null_safe(lambda a, b: a + b),
    exp.Sub: _null_safe(lambda a, b: a - b),
    exp.Mul: _null_safe(lambda a, b: a * b),
    exp.Div: _null_safe(lambda a, b: a / b),
    exp.EQ: _null_safe(lambda a, b: a == b),
    exp.NEQ: _null_safe(lambda a, b: a != b),
    exp.GT: _null_safe(lambda a, b: a > b),
    exp.GTE: _null_safe(lambda a, b: a >= b),
    exp.LT: _null_safe(lambda a, b: a < b),
    exp.LTE: _null_safe(lambda a, b: a <= b),
    exp.DPipe: _null_safe(lambda a, b: f"{_text(a)}{_text(b)}"),
}


def _text(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def _and(a, b):
    # SQL three-valued logic: FALSE wins over NULL.
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


@lru_cache(maxsize=None)
def parse(text: str) -> exp.Expression:
    return sqlglot.parse_one(text)


def compile_expr(text: str):
    """Closure env → value for one expression; aggregates read env['__rows__'][table]."""
    return _compile(parse(text))


def _compile(node):  # noqa: C901 - one dispatch table, kept flat on purpose
    kind = type(node)
    if kind is exp.Paren:
        return _compile(node.this)
    if kind is exp.Literal:
        value = node.this if node.is_string else Decimal(node.this)
        return lambda env: value
    if kind is exp.Boolean:
        value = node.this
        return lambda env: value
    if kind is exp.Null:
        return lambda env: None
    if kind is exp.Column:
        name = node.name
        return lambda env: env[name]
    if kind in _BINARY:
        left, right, op = _compile(node.this), _compile(node.expression), _BINARY[kind]
        return lambda env: op(left(env), right(env))
    if kind in (exp.And, exp.Or):
        left, right = _compile(node.this), _compile(node.expression)
        op = _and if kind is exp.And else _or
        return lambda env: op(left(env), right(env))
    if kind is exp.Not:
        inner = _compile(node.this)
        return lambda env: None if (v := inner(env)) is None else not v
    if kind is exp.Neg:
        inner = _compile(node.this)
        return lambda env: None if (v := inner(env)) is None else -v
    if kind is exp.Is:
        inner = _compile(node.this)
        return lambda env: inner(env) is None
    if kind is exp.Case:
        if node.this is not None:
            raise ValueError(f"use searched CASE WHEN … (no CASE x WHEN): {node.sql()}")
        return _case(node)
    if kind is exp.Cast and node.to.is_type(*exp.DataType.TEXT_TYPES):
        inner = _compile(node.this)
        return lambda env: None if (v := inner(env)) is None else _text(v)
    if kind is exp.In:
        this, options = _compile(node.this), [_compile(o) for o in node.expressions]
        return lambda env: None if (v := this(env)) is None else any(v == o(env) for o in options)
    return _function(node)


def _case(node):
    arms = [(_compile(arm.this), _compile(arm.args["true"])) for arm in node.args["ifs"]]
    default = _compile(node.args["default"]) if node.args.get("default") else (lambda env: None)

    def run(env):
        for cond, value in arms:
            if cond(env) is True:
                return value(env)
        return default(env)

    return run


def _function(node):
    kind = type(node)
    if kind in AGGREGATES:
        return _aggregate(node)
    if kind in (exp.Coalesce, exp.Greatest, exp.Least):
        parts = [_compile(node.this)] + [_compile(e) for e in node.expressions]
        if kind is exp.Coalesce:
            return lambda env: next((v for p in parts if (v := p(env)) is not None), None)
        pick = max if kind is exp.Greatest else min
        return lambda env: None if None in (vs := [p(env) for p in parts]) else pick(vs)
    if kind is exp.ArrayContains:
        array, item = _compile(node.this), _compile(node.expression)
        return lambda env: None if (v := item(env)) is None else v in array(env)
    if kind is exp.Round:
        inner = _compile(node.this)
        places = int(node.args["decimals"].this) if node.args.get("decimals") else 0
        quantum = Decimal(1).scaleb(-places)
        return lambda env: None if (v := inner(env)) is None else v.quantize(quantum, ROUND_HALF_UP)
    if kind is exp.Anonymous and node.name.upper() == "PARAM":
        name = node.expressions[0].this
        return lambda env: env["__params__"][name]
    if kind is exp.Anonymous and node.name.upper() == "ROUND_MONEY":
        inner = _compile(node.expressions[0])
        return lambda env: round_money(inner(env), env["__params__"]["rounding.mode"])
    raise ValueError(f"rule expression uses unsupported SQL: {node.sql()}")


def _aggregate(node):
    arg = node.this
    tables = {c.table for c in arg.find_all(exp.Column) if c.table}
    if len(tables) != 1:
        raise ValueError(f"aggregate must read exactly one child table (m. or v.): {node.sql()}")
    table, inner = tables.pop(), _compile(arg)
    pick = {exp.Sum: sum, exp.Max: max, exp.Min: min, exp.Count: len}[type(node)]

    def run(env):
        values = [v for row in env["__rows__"][table] if (v := inner({**env, **row})) is not None]
        if type(node) is exp.Count:
            return Decimal(len(values))
        return pick(values) if values else None

    return run


def params_used(text: str) -> list[str]:
    """Parameter names an expression reads (for explain)."""
    names = [n.expressions[0].this for n in parse(text).find_all(exp.Anonymous) if n.name.upper() == "PARAM"]
    tree = parse(text)
    if any(n.name.upper() == "ROUND_MONEY" for n in tree.find_all(exp.Anonymous)):
        names.append("rounding.mode")
    return list(dict.fromkeys(names))
