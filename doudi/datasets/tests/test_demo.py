import io

import pytest

from doudi.datasets.demo import build_demo
from doudi.datasets.kinds import KINDS
from doudi.datasets.models import DatasetImport


@pytest.mark.django_db
def test_demo_imports_every_kind_once(regions):
    out = io.StringIO()
    build_demo(seed=11, stdout=out, stderr=io.StringIO())
    assert set(DatasetImport.objects.values_list("kind", flat=True)) == set(KINDS)
    assert f"已导入 {len(KINDS)} 类" in out.getvalue()
    build_demo(seed=11, stdout=io.StringIO(), stderr=io.StringIO())
    assert DatasetImport.objects.count() == len(KINDS)
