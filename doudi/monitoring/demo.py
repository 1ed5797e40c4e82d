"""Demo data for data comparison: once the demo county's planted department datasets are
imported (doudi.datasets demo step), run a first comparison so the warnings pages have
content. Idempotent: does nothing once a comparison has run."""

from doudi.monitoring.models import ComparisonRun


def build_demo(*, seed: int, stdout, stderr) -> None:
    from doudi.datasets.models import DatasetImport
    from doudi.monitoring.services import comparison_run

    if ComparisonRun.objects.exists():
        return
    latest = DatasetImport.objects.order_by("-as_of").first()
    if latest is None:
        stdout.write("数据比对：尚未导入部门数据，跳过首次比对（导入后可在“数据比对”页面发起）。")
        return
    stderr.write(f"[进度] 首次数据比对（截至 {latest.as_of}）……\n")
    run, findings = comparison_run(as_of=latest.as_of)
    stdout.write(f"数据比对：截至 {run.as_of} 生成预警 {len(findings)} 条。")
