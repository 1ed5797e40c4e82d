"""The vectorised CSV path gives exactly the rows and issues of the row path."""

import datetime as dt

import pyarrow.parquet as pq

from doudi.datasets import fastparse, storage
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import read_rows
from doudi.synth.datasets import write_datasets
from doudi.synth.generate import generate
from doudi.synth.regions import county_regions


def _both(kind, path, tmp_path, monkeypatch):
    assert fastparse.suitable(path)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(fastparse, "suitable", lambda _path, fast=fast: fast)
        target = tmp_path / f"{kind}-{fast}.parquet"
        writer = storage.RowWriter(KINDS[kind], target)
        counts = read_rows(KINDS[kind], path, path.name, writer)
        writer.close()
        results.append((counts.summary(), counts.issues, pq.read_table(target).sort_by("row_no").to_pylist()))
    return results


def test_fast_and_row_paths_agree_on_dirty_files(tmp_path, monkeypatch):
    folder = tmp_path / "planted"
    write_datasets(
        folder,
        generate(4, county_regions(4), 1500, as_of=dt.date(2025, 1, 1)),
        seed=4,
        as_of=dt.date(2025, 1, 1),
        background_rows=6000,
        plant_rate=0.5,
    )
    for kind in ("death", "medical", "cadre", "disability", "recipients_elsewhere", "business"):
        path = folder / f"{kind}.csv"
        with path.open("a", encoding="utf-8") as handle:  # bad cells and an exact duplicate
            line = path.read_text(encoding="utf-8").splitlines()[3]
            handle.write(line + "\n" + ",".join(["x"] * (len(line.split(",")))) + "\n")
        monkeypatch.undo()
        fast, slow = _both(kind, path, tmp_path, monkeypatch)
        assert fast == slow, kind
        assert fast[0]["duplicates"] >= 1 and fast[0]["rejected"] >= 1


def test_ragged_file_falls_back_to_the_row_path(tmp_path):
    path = tmp_path / "death.csv"
    path.write_text(
        "身份证号,姓名,死亡日期\n140521195003120018,张三,2024-05-01\n140521195201010024,李四,2024-05-02,多余\n", encoding="utf-8"
    )
    writer = storage.RowWriter(KINDS["death"], tmp_path / "d.parquet")
    counts = read_rows(KINDS["death"], path, path.name, writer)
    writer.close()
    assert counts.rows == 2 and pq.read_table(tmp_path / "d.parquet").num_rows == 2
