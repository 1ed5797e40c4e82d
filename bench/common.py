"""Shared benchmark plumbing: a fresh PostgreSQL database per run, Django set up on it,
synthetic data generated once and reused, timings written as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("PG_URL", "postgres://doudi@127.0.0.1:54329/doudi")


def fresh_postgres(name: str) -> str:
    """Drops and recreates database `name` on the benchmark server; returns its URL."""
    import psycopg

    base = PG_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def django_on(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def synth(scale: str, persons: int, seed: int = 7) -> Path:
    folder = OUT / f"{scale}-{persons}-{seed}"
    if not (folder / "保障.csv").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "doudi.synth",
                "--scale",
                scale,
                "--seed",
                str(seed),
                "--persons",
                str(persons),
                "--out",
                str(folder),
            ],
            check=True,
        )
    return folder


@contextmanager
def timed(store: dict, key: str):
    started = time.perf_counter()
    yield
    store[key] = round(time.perf_counter() - started, 3)
    print(f"  {key}: {store[key]} s", file=sys.stderr, flush=True)


def save(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result["machine"] = machine()
    (RESULTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpus} cores, {mem:.0f} GiB, Python {sys.version.split()[0]}"
