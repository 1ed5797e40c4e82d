"""Properties of the rules on generated households (hypothesis): the batch decides every
household exactly as `assess` does, a dated parameter is the value in force on the day
asked, raising the dibao standard never takes a household out of the safety net, and no
amount is ever negative. Examples are kept small so the suite stays fast. The same
households on Spark: doudi/batch/tests/test_properties_spark.py."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.core.idnumber import with_check_digit
from doudi.rules import assess
from doudi.rules.policy import load_policy
from doudi.rules.schema import ITEM_KINDS

REGIONS = {"14": ("140521100201", "140522100201"), "50": ("500240100200", "500101001001")}
MONTHS = ("2022-09", "2022-10", "2024-06", "2024-07", "2025-01", "2025-03")
SAFETY_NET = {"dibao", "dibao_edge", "low_income", "tekun", "dibao_single"}
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each batch example runs the whole compiled plan on DuckDB (about half a second): fewer, larger examples.
BATCH = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.one_of(st.just(Decimal(0)), st.decimals(min_value=0, max_value=3000, places=2))
often_zero = st.one_of(st.just(Decimal(0)), st.just(Decimal(0)), money)


@st.composite
def members(draw, region: str, count: int) -> list[dict]:
    out = []
    for seq in range(1, count + 1):
        birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2024, 12, 31)))
        disabled = draw(st.booleans())
        out.append(
            {
                "id_number": with_check_digit(f"{region[:6]}{birth:%Y%m%d}{seq:03d}"),
                "name": f"成员{seq}",
                "relation": "head" if seq == 1 else draw(st.sampled_from(["spouse", "child", "parent", "other"])),
                "disability": {
                    "kind": draw(st.sampled_from(["limb", "intellectual", "mental", "visual", "hearing"])),
                    "level": draw(st.integers(1, 4)),
                }
                if disabled
                else None,
                "serious_illness": draw(st.booleans()),
                "self_care": draw(st.sampled_from(["full", "partial", "none"])),
                "employed": draw(st.booleans()),
                "capable_supporter": draw(st.booleans()),
                "orphan": draw(st.sampled_from([False] * 9 + [True])),
                "unsupported_child": draw(st.sampled_from([False] * 9 + [True])),
                "income_monthly": {part: draw(often_zero) for part in ("wage", "business", "property", "transfer", "exempt")},
            }
        )
    return out


@st.composite
def households(draw, province: str, fixed_region: str | None = None, most: int = 5) -> list[dict]:
    out = []
    for index in range(draw(st.integers(1, most))):
        region = fixed_region or draw(st.sampled_from(REGIONS[province]))
        people = draw(members(region, draw(st.integers(1, 4))))
        current = []
        if draw(st.booleans()):
            current.append(
                {
                    "category": "dibao",
                    "person": None,
                    "since": "2020-01-01",
                    "monthly_amount": draw(money),
                    **({"taper_start": draw(st.sampled_from(MONTHS))} if draw(st.booleans()) else {}),
                }
            )
        if draw(st.booleans()):
            current.append(
                {
                    "category": "tekun",
                    "person": people[0]["id_number"],
                    "since": "2020-01-01",
                    "monthly_amount": draw(money),
                    "mode": draw(st.sampled_from(["dispersed", "centralized"])),
                }
            )
        out.append(
            {
                "id": f"H{index:02d}",
                "region": region,
                "hukou": draw(st.sampled_from(["urban", "rural"])),
                "assets": {
                    "financial": draw(st.one_of(st.just(Decimal(0)), st.decimals(0, 60000, places=2))),
                    "vehicles": draw(
                        st.lists(
                            st.fixed_dictionaries({"kind": st.sampled_from(ITEM_KINDS["vehicle_kind"]), "value": money}),
                            max_size=1,
                        )
                    ),
                    "properties": draw(st.integers(0, 2)),
                    "businesses": draw(st.integers(0, 1)),
                },
                "expenses_12m": {"medical": draw(often_zero) * 10, "education": draw(often_zero)},
                "poverty_monitoring": draw(st.booleans()),
                "poverty_alleviated": draw(st.booleans()),
                "members": people,
                "current": current,
            }
        )
    return out


@st.composite
def cohorts(draw) -> tuple[str, str, dict]:
    """(province policy, month, households of that province)."""
    province = draw(st.sampled_from(sorted(REGIONS)))
    return province, draw(st.sampled_from(MONTHS)), {"households": draw(households(province, most=8))}


def _amounts_not_negative(results: list[dict]) -> None:
    for result in results:
        for benefit in result["benefits"]:
            assert benefit["monthly_amount"] >= 0, (result["household"], benefit)


@pytest.fixture(scope="module")
def duckdb_engine():
    from doudi.batch.engines import open_engine

    with open_engine("duckdb") as engine:
        yield engine


def batch_results(engine, data, policy, month):
    from doudi.batch.evaluate import evaluate_tables, results, tables_from_json

    tables, _day = tables_from_json(data, policy, month)
    out = evaluate_tables(engine, tables)
    return results(out["households"], out["decisions"], [h["id"] for h in data["households"]])


@BATCH
@given(cohorts())
def test_batch_decides_generated_households_as_assess_does(duckdb_engine, cohort):
    province, month, data = cohort
    want = assess(data, province, month)["results"]
    assert batch_results(duckdb_engine, data, province, month) == want
    _amounts_not_negative(want)


@st.composite
def dated_values(draw) -> list[dict]:
    """1–4 dated values of dibao.standard.rural, some ending early (`until`)."""
    starts = sorted(draw(st.lists(st.dates(dt.date(2021, 1, 1), dt.date(2027, 12, 31)), min_size=1, max_size=4, unique=True)))
    out = []
    for i, start in enumerate(starts):
        item = {"from": start, "value": draw(st.integers(300, 1500)), "ref": f"测〔2025〕{i + 1}号"}
        room = ((starts[i + 1] - start).days - 1) if i + 1 < len(starts) else 400
        if room >= 0 and draw(st.booleans()):
            item["until"] = start + dt.timedelta(days=draw(st.integers(0, room)))
        out.append(item)
    return out


def _policy_file(folder: Path, name: str, region: str, parameters: dict[str, list[dict]]) -> Path:
    lines = [f'region: "{region}"', "parameters:"]
    for parameter, values in parameters.items():
        lines += [f"  {parameter}:", "    unit: yuan", "    values:"]
        for v in values:
            until = f", until: {v['until']}" if v.get("until") else ""
            lines.append(f'      - {{from: {v["from"]}{until}, value: {v["value"]}, ref: "{v["ref"]}"}}')
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _expected(values: list[dict], day: dt.date):
    """The value in force on `day`: from ≤ day ≤ until, or up to the next value's day before."""
    for v, after in zip(values, values[1:] + [None]):
        end = v.get("until") or (after["from"] - dt.timedelta(days=1) if after else dt.date.max)
        if v["from"] <= day <= end:
            return Decimal(v["value"])
    return None  # nothing here: the region's own chain (city, province, national) answers


@FAST
@given(dated_values(), st.lists(st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)), min_size=1, max_size=6))
def test_a_dated_parameter_is_the_value_in_force_on_the_day(values, days):
    shipped = load_policy("14")
    with tempfile.TemporaryDirectory() as folder:
        policy = load_policy(str(_policy_file(Path(folder), "140521.yaml", "140521", {"dibao.standard.rural": values})))
        for day in days:
            got = policy.resolve("140521", day)["dibao.standard.rural"]
            want = _expected(values, day)
            assert got.value == (want if want is not None else shipped.resolve("140521", day)["dibao.standard.rural"].value)
            assert (got.file == policy.override.file) == (want is not None)
        # assess reads the value in force on the month's first day: a one-person household
        # without income and with a capable supporter is paid exactly the standard.
        month = days[0].replace(day=1)
        household = {
            "id": "H",
            "region": "140521100201",
            "hukou": "rural",
            "members": [{"id_number": with_check_digit("14052119800510001"), "capable_supporter": True}],
        }
        result = assess({"households": [household]}, policy, f"{month:%Y-%m}")["results"][0]
        standard = policy.resolve("140521", month)["dibao.standard.rural"].value
        assert result["benefits"] == [{"category": "dibao", "person": None, "monthly_amount": int(standard), "members": 1}]


@FAST
@given(households("14", fixed_region="140521100201"), st.integers(1, 300))
def test_raising_the_standard_never_takes_a_household_out_of_the_safety_net(generated, raise_by):
    month = "2025-03"
    shipped = load_policy("14").resolve("140521", dt.date(2025, 3, 1))
    data = {"households": generated}
    with tempfile.TemporaryDirectory() as folder:
        raised = {
            name: [{"from": dt.date(2025, 1, 1), "value": shipped[name].value + raise_by, "ref": "测〔2025〕9号"}]
            for name in ("dibao.standard.rural", "dibao.standard.urban")
        }
        path = _policy_file(Path(folder), "raised.yaml", "140521", raised)
        before = assess(data, "14", month)["results"]
        after = assess(data, str(path), month)["results"]
    for old, new in zip(before, after):
        had = {b["category"] for b in old["benefits"]} & SAFETY_NET
        has = {b["category"] for b in new["benefits"]} & SAFETY_NET
        assert has or not had, f"{old['household']}: {sorted(had)} before, nothing after raising by {raise_by}"
        if "dibao" in had:  # still dibao, or the members left are 特困 (their own income now below the standard)
            assert has & {"dibao", "tekun"}
    _amounts_not_negative(before)
    _amounts_not_negative(after)
