"""Command line: `python -m doudi.synth --scale county|province --seed N --out DIR`.

Writes 区划.csv (the region tree) and the docs/interfaces.md §4 registry files 家庭.csv, 成员.csv,
保障.csv into DIR — a folder `doudi import registry DIR` accepts as it is (it ignores
区划.csv). `--xlsx` also writes 登记名册.xlsx, for small outputs. `--datasets` also writes
the docs/interfaces.md §5 department files with planted cases into DIR/部门数据 (doudi/synth/datasets.py;
`--dataset-rows` strangers in total, default 30 000 for a county, 30 000 000 for a
province). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from doudi.synth.generate import AS_OF, COUNTY_PERSONS, PROVINCE_PERSONS, generate
from doudi.synth.regions import county_regions, province_regions, write_regions_csv
from doudi.synth.writers import write_registry_csv, write_registry_xlsx

XLSX_LIMIT = 500_000  # persons: beyond this a workbook is slow to write and to open


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m doudi.synth", description="生成合成的困难群众登记数据（确定性，同一种子输出相同）"
    )
    parser.add_argument(
        "--scale", choices=("county", "province"), default="county", help="county: 沁水县 约3万人；province: 山西省 约160万人"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, type=Path, help="输出文件夹")
    parser.add_argument("--persons", type=int, help="低收入人口总数（默认按规模）")
    parser.add_argument("--xlsx", action="store_true", help="另写 登记名册.xlsx（仅适合小规模）")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="数据基准日期 YYYY-MM-DD（默认 2025-01-01）")
    parser.add_argument("--datasets", action="store_true", help="另写部门比对数据（含预置的真实案例和近似案例）到 部门数据/")
    parser.add_argument("--dataset-rows", type=int, default=None, help="部门数据中非台账人员的行数（默认县 3万、省 3000万）")
    parser.add_argument("--plant-rate", type=float, default=0.08, help="预置案例的家庭比例（默认 0.08）")
    return parser


def _progress(target: int, started: float):
    def report(households: int, persons: int) -> None:
        elapsed = time.monotonic() - started
        print(f"  {persons:>9,} / {target:,} 人  {households:>9,} 户  {elapsed:6.1f}s", file=sys.stderr, flush=True)

    return report


def _planter(args):
    from doudi.synth.datasets import DatasetPlanter

    return DatasetPlanter(args.out / "部门数据", seed=args.seed, as_of=args.as_of or AS_OF, plant_rate=args.plant_rate)


def _finish_datasets(args, planter, started: float) -> None:
    rows = args.dataset_rows if args.dataset_rows is not None else (30_000 if args.scale == "county" else 30_000_000)

    def report(kind: str, count: int) -> None:
        print(f"  部门数据 {kind}: {count:,} 行  {time.monotonic() - started:6.1f}s", file=sys.stderr, flush=True)

    manifest = planter.close(background_rows=rows, progress=report)
    print(
        f"部门数据：预置真实案例 {manifest['true_cases']:,}、近似案例 {manifest['near_misses']:,}；"
        f"非台账人员 {sum(manifest['background_rows'].values()):,} 行 → {args.out / '部门数据'}",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    persons = args.persons or (COUNTY_PERSONS if args.scale == "county" else PROVINCE_PERSONS)
    if persons <= 0:
        print("--persons 应为正整数", file=sys.stderr)
        return 2
    if args.xlsx and persons > XLSX_LIMIT:
        print(f"--xlsx 只适合 {XLSX_LIMIT:,} 人以内的数据；请去掉 --xlsx 或减小 --persons", file=sys.stderr)
        return 2
    started = time.monotonic()
    regions = county_regions(args.seed) if args.scale == "county" else province_regions(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    count = write_regions_csv(args.out / "区划.csv", regions)
    print(f"区划.csv: {count:,} 个区划  {time.monotonic() - started:.1f}s", file=sys.stderr)
    options = {"as_of": args.as_of} if args.as_of else {}
    every = 10_000 if persons > 200_000 else 2_000
    households = generate(args.seed, regions, persons, **options)
    planter = _planter(args) if args.datasets else None
    counts = write_registry_csv(
        args.out, planter.tap(households) if planter else households, progress=_progress(persons, started), every=every * 5
    )
    if planter:
        _finish_datasets(args, planter, started)
    if args.xlsx:
        write_registry_xlsx(
            args.out / "登记名册.xlsx",
            generate(args.seed, regions, persons, **options),
            progress=_progress(persons, time.monotonic()),
            every=every,
        )
    summary = "，".join(f"{name} {n:,} 行" for name, n in counts.items())
    print(f"完成：{summary}；用时 {time.monotonic() - started:.1f}s → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
