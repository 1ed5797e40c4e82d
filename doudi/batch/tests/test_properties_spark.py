"""Generated households (doudi/rules/tests/test_properties.py) decided on Spark exactly as
`assess` decides them: two small examples, the Spark plan being slow to start."""

import pytest
from hypothesis import HealthCheck, given, settings

from doudi.rules import assess
from doudi.rules.tests.test_properties import batch_results, cohorts


@pytest.mark.spark
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts())
def test_batch_on_spark_decides_generated_households_as_assess_does(spark, cohort):
    from doudi.batch.engines import open_engine

    province, month, data = cohort
    engine = open_engine("spark", spark_session=spark)
    try:
        assert batch_results(engine, data, province, month) == assess(data, province, month)["results"]
    finally:
        engine.close()
