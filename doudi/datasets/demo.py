"""Demo data for 部门数据报送: the demo county's synthetic department files, with planted
cases (doudi/synth/datasets.py), imported once so the comparison has something to find.
Idempotent: does nothing once any department dataset has been imported."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from doudi.datasets.kinds import KINDS
from doudi.datasets.models import DatasetImport
from doudi.datasets.services import dataset_import


def build_demo(*, seed: int, stdout, stderr) -> None:
    if DatasetImport.objects.exists():
        return
    folder = Path(settings.DATA_DIR) / f"demo-county-{seed}"
    datasets = folder / "部门数据"
    if not (datasets / "manifest.json").exists():
        stderr.write("[进度] 生成演示县部门数据……\n")
        # Same seed and scale as the registry the demo imported, so the planted rows are
        # about the people in it; the registry files are rewritten identically.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "doudi.synth",
                "--scale",
                "county",
                "--seed",
                str(seed),
                "--out",
                str(folder),
                "--datasets",
                "--dataset-rows",
                "20000",
            ],
            check=True,
        )
    as_of = json.loads((datasets / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    total = 0
    for kind in KINDS:
        total += dataset_import(kind=kind, path=datasets / f"{kind}.csv", as_of=as_of)["rows"]
    stdout.write(f"部门数据：已导入 {len(KINDS)} 类，共 {total} 行（截至 {as_of}）")
