"""批量评估 and 政策测算 exports (issue 12, A3): amounts are number cells with two decimals,
so Excel's SUM gives the page's totals; ID numbers masked."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import COUNTY
from doudi.assessment.services import evaluation_run, policy_simulate, simulation_xlsx
from doudi.core.models import User

pytestmark = pytest.mark.django_db


def _sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_evaluation_export_amounts_are_numbers(client, register):
    run = evaluation_run(month="2025-01", region_code=COUNTY, user=register["admin"])
    client.force_login(User.objects.get(username="staff"))
    sheet = _sheet(client.get(f"/assessment/evaluations/{run.pk}/", {"export": "xlsx"}))
    rows = list(sheet.iter_rows(min_row=3))[:-1]  # the last row is the 合计
    assert rows and len(rows) == run.differences.count()
    for row in rows:
        assert all(c.value is None or (c.data_type == "n" and c.number_format == "0.00") for c in row[6:9]), row
        assert row[3].value is None or "*" in row[3].value
    delta = sum(Decimal(str(r[8].value or 0)) for r in rows)
    assert delta == sum((d.delta or 0) for d in run.differences.all())


def test_simulation_export_amounts_are_numbers_and_the_total_row_adds_up(register):
    changes = [{"parameter": "dibao.standard.rural", "from": "2024-12-01", "value": None, "percent": "20"}]
    result = policy_simulate(region_code=COUNTY, month="2025-01", changes=changes, user=register["staff"])
    rows = list(_sheet(simulation_xlsx(result)).iter_rows(min_row=3))
    body, total = rows[:-1], rows[-1]
    assert total[0].value == "合计"
    for col in (6, 7, 8):
        assert all(r[col].data_type == "n" and r[col].number_format == "0.00" for r in rows)
        assert sum(r[col].value for r in body) == pytest.approx(total[col].value)
    assert total[7].value == pytest.approx(float(Decimal(result["totals"]["budget_after"])))
