import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import COUNTY, person_id
from doudi.datasets.models import DatasetImport
from doudi.datasets.tests.conftest import write_csv

HEADER = ["身份证号", "姓名", "养老保险", "月待遇"]


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_dataset_command(tmp_path, regions):
    path = write_csv(
        tmp_path / "养老.csv",
        ["身份证号", "姓名", "险种", "月待遇"],
        [
            [person_id(COUNTY, "19500312", 1), "张三", "城乡居民养老保险", "180.5"],
            ["14052119500312", "李四", "城乡居民养老保险", "一百"],
        ],
    )
    out, err = _run("dataset", "pension", str(path), "--as-of", "2025-01-31")
    assert "已导入「养老保险待遇」第1版：截至 2025-01-31，接收 1 行，拒收 1 行" in out
    assert "第3行「月待遇」列：应为数字（值：一百） [未接收]" in err
    out, _ = _run("dataset", "pension", str(path), "--as-of", "2025-01-31", "--json")
    assert json.loads(out)["status"] == "unchanged"
    preview, _ = _run(
        "dataset",
        "pension",
        str(write_csv(tmp_path / "p2.csv", ["身份证号", "姓名", "险种", "月待遇"], [["", "王五", "企业职工养老保险", "3000"]])),
        "--as-of",
        "2025-01-31",
        "--dry-run",
    )
    assert preview.startswith("预览（未写入）") and "无法规范化 1 行" in preview
    assert DatasetImport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["dataset", "pension", "x.csv"], "缺少 --as-of"),
        (["dataset", "x.csv", "--as-of", "2025-01-01"], "用法：doudi import dataset KIND FILE"),
        (["dataset", "pensions", "x.csv", "--as-of", "2025-01-01"], "导入被拒绝"),
    ],
)
def test_import_dataset_command_refuses_bad_arguments(regions, args, message):
    with pytest.raises(CommandError) as caught:
        _run(*args)
    assert message in str(caught.value)


@pytest.mark.django_db
def test_dataset_token_command(users):
    from doudi.datasets.api import key_digest
    from doudi.datasets.models import ApiToken

    key, _ = (lambda out, err: (out.getvalue().strip(), err))(*_token("uploader"))
    assert ApiToken.objects.get().key_sha256 == key_digest(key) and key.startswith("dd_")
    with pytest.raises(CommandError, match="无权报送部门数据"):
        _token("clerk_a")


def _token(username):
    out, err = io.StringIO(), io.StringIO()
    call_command("dataset_token", username, stdout=out, stderr=err)
    return out, err
