"""The engine interface behaves the same on DuckDB and Spark."""

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from doudi.batch.engines import EngineError, open_engine, to_spark_sql

ROWS = pa.table(
    {
        "region": ["140521100", "140521100", "140521101"],
        "amount": pa.array([Decimal("600.50"), Decimal("700.25"), Decimal("80.00")], pa.decimal128(14, 2)),
        "kinds": pa.array([["car"], [], ["car", "truck"]], pa.list_(pa.string())),
    }
)
SQL = (
    "SELECT region, SUM(amount) AS total, COUNT(*) AS n, "
    "SUM(CASE WHEN ARRAY_CONTAINS(kinds, 'car') THEN 1 ELSE 0 END) AS cars "
    "FROM rows_v GROUP BY region ORDER BY region"
)


def _exercise(engine, tmp_path):
    engine.load("rows_t", ROWS)
    pq.write_table(ROWS, tmp_path / "rows.parquet")
    engine.load("rows_p", tmp_path / "rows.parquet")
    engine.view("rows_v", "SELECT * FROM rows_t UNION ALL SELECT * FROM rows_p")
    engine.create("sums", SQL)
    out = engine.query("SELECT region, total, n, cars FROM sums ORDER BY region")
    assert out.schema.field("total").type == pa.decimal128(out.schema.field("total").type.precision, 2)
    engine.write_parquet("SELECT region, total FROM sums", tmp_path / "sums.parquet")
    written = pq.read_table(tmp_path / "sums.parquet").sort_by("region")
    assert written.to_pylist() == out.select(["region", "total"]).to_pylist()
    return [(r["region"], r["total"], int(r["n"]), int(r["cars"])) for r in out.to_pylist()]


EXPECTED = [("140521100", Decimal("2601.50"), 4, 2), ("140521101", Decimal("160.00"), 2, 2)]


def test_duckdb_engine(tmp_path):
    with open_engine("duckdb") as engine:
        assert _exercise(engine, tmp_path) == EXPECTED


@pytest.mark.spark
def test_spark_engine_matches_duckdb(spark, tmp_path):
    engine = open_engine("spark", spark_session=spark)
    try:
        assert _exercise(engine, tmp_path) == EXPECTED
    finally:
        engine.close()
    assert not {"rows_t", "rows_p", "rows_v", "sums"} & {t.name for t in spark.catalog.listTables()}


def test_bad_engine_and_input_are_chinese(tmp_path):
    with pytest.raises(EngineError, match="未知计算引擎"):
        open_engine("oracle")
    with open_engine("duckdb") as engine:
        with pytest.raises(EngineError, match="不存在"):
            engine.load("x", tmp_path / "missing.parquet")
        with pytest.raises(EngineError, match="pyarrow.Table"):
            engine.load("x", [1, 2])


def test_sql_is_transpiled_for_spark():
    assert "ARRAY_CONTAINS" in to_spark_sql("SELECT ARRAY_CONTAINS(k, 'a') FROM t").upper()
    assert to_spark_sql("SELECT CAST(x AS VARCHAR) FROM t") == "SELECT CAST(x AS STRING) FROM t"


def test_spark_settings_come_from_the_environment():
    from doudi.batch.engines import spark_settings

    defaults = spark_settings({})
    assert defaults["spark.master"] == "local[2]" and defaults["spark.driver.memory"] == "4g"
    chosen = spark_settings({"DOUDI_SPARK_MASTER": "spark://cluster:7077", "DOUDI_SPARK_DRIVER_MEMORY": "16g"})
    assert chosen["spark.master"] == "spark://cluster:7077" and chosen["spark.driver.memory"] == "16g"
    assert chosen["spark.sql.session.timeZone"] == "Asia/Shanghai"
