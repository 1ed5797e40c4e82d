"""Web load on one county (issue 12, part D): a bounded scenario against 127.0.0.1 only.

N clients (threads, each with its own session) log in as the demo's township clerks and
repeat a visit: search households, open two of them, open the warnings list and one
warning, open the payroll list, with no pause between pages unless --think gives one
(a mean reading time). Each client stops after a fixed number of requests or at
the time cap, whichever comes first. Reported per run: p50/p95/p99 latency, errors
(anything but HTTP 200, a timeout or a refused connection), requests per second, and the
machine's load average (os.getloadavg) before, during (sampled each second) and after.

The servers are started by this script on a copy of the database and stopped at the end:
    baseline    `doudi serve --threads 1` (one request at a time: a single-threaded server)
    production  `doudi serve --threads 8` (waitress, production settings), in K processes
                with --workers K (docs/deploy.md, a province: several `doudi serve` behind
                nginx); the clients are spread round-robin over the K ports instead of a
                proxy (127.0.0.1 only, so no proxy is needed to reach them)

    python -m bench.load_bench --database data/demo.sqlite3 --clients 20 50
    python -m bench.load_province     # the province in PostgreSQL: 1.6M persons
    python -m bench.load_bench --database postgres://doudi@127.0.0.1:54329/doudi_loadbench --workers 1 2 4

A PostgreSQL database is used as it is (not copied): the scenario writes only sessions.
The load generator shares the machine with the server: its own CPU shows in the load.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOST = "127.0.0.1"  # never anything else: this is a load generator
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "load_bench.json"
CLERKS = ("clerk1", "clerk2")
PASSWORD = "doudi2026"
SEARCH_TERMS = ("王", "李", "张", "刘", "陈", "杨", "赵", "村", "号", "1")
SERVERS = {"baseline-1-thread": 1, "waitress-8-threads": 8}
DOUDI = [sys.executable, "-m", "doudi.cli"]  # this interpreter's doudi (PYTHONPATH may point at a snapshot)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """`doudi serve` on HOST with production settings, started and stopped by us."""

    def __init__(self, database_url: str, data_dir: Path, threads: int, log: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "DOUDI_ENV": "production",
            "DOUDI_SECRET_KEY": secrets.token_urlsafe(50),
            "DOUDI_HTTPS": "0",
            "DOUDI_ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "DOUDI_DATA_DIR": str(data_dir),
            "DOUDI_JOBS": "worker",
        }
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [*DOUDI, "serve", "--host", HOST, "--port", str(self.port), "--threads", str(threads)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://{HOST}:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                if self.process.poll() is not None:
                    self.log.close()
                    raise RuntimeError("server exited:\n" + log.read_text()[-2000:]) from None
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("server did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Client:
    def __init__(self, base: str, username: str, timeout: float, think: float = 0, seed: int = 0):
        assert urllib.parse.urlsplit(base).hostname == HOST, "load tests only target 127.0.0.1"
        self.base, self.username, self.timeout = base, username, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.samples: list[tuple[str, float, bool]] = []
        self.think, self.pauses = think, random.Random(seed)

    def request(self, page: str, path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.perf_counter()
        ok, text = False, ""
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
                ok = response.status == 200
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError):
            ok = False
        self.samples.append((page, time.perf_counter() - started, ok))
        if self.think and page != "login":
            time.sleep(self.pauses.expovariate(1 / self.think))  # a person reading the page
        return text

    def login(self) -> bool:
        form = self.request("login", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if not token:
            return False
        page = self.request(
            "login", "/login/", {"csrfmiddlewaretoken": token.group(1), "username": self.username, "password": PASSWORD}
        )
        return "退出" in page or "logout" in page

    def visit(self, rng: random.Random) -> None:
        listing = self.request("household_search", "/households/?" + urllib.parse.urlencode({"q": rng.choice(SEARCH_TERMS)}))
        codes = list(dict.fromkeys(re.findall(r'href="/households/([^/"?]+)/"', listing)))
        if not codes:
            listing = self.request("household_search", "/households/")
            codes = list(dict.fromkeys(re.findall(r'href="/households/([^/"?]+)/"', listing)))
        for code in rng.sample(codes, min(2, len(codes))):
            self.request("household_detail", f"/households/{code}/")
        warnings = self.request("warning_list", "/monitoring/warnings/")
        ids = re.findall(r'href="/monitoring/warnings/(\d+)/"', warnings)
        if ids:
            self.request("warning_detail", f"/monitoring/warnings/{rng.choice(ids)}/")
        self.request("payroll_list", "/payments/runs/")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run_load(bases: list[str], clients: int, requests_per_client: int, time_cap: float, seed: int, think: float = 0) -> dict:
    """`clients` clients, client i on bases[i % len(bases)] (round-robin, as a proxy would)."""
    load_before = os.getloadavg()
    sampled: list[float] = []
    stop = threading.Event()

    def sample_load():
        while not stop.wait(1.0):
            sampled.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample_load, daemon=True)
    sampler.start()
    # Everyone signs in first (Argon2, deliberately slow: 50 at once take the CPU for seconds),
    # then the timed part starts, so the page figures are not those of a login storm.
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        everyone = list(
            pool.map(
                lambda i: Client(bases[i % len(bases)], CLERKS[i % len(CLERKS)], timeout=30, think=think, seed=seed + i),
                range(clients),
            )
        )
        logged_in = [c for c, ok in zip(everyone, pool.map(Client.login, everyone)) if ok]
    login_seconds = time.monotonic() - started
    load_after_logins = os.getloadavg()
    deadline = time.monotonic() + time_cap

    def one(index: int) -> Client:
        client, rng = logged_in[index], random.Random(seed * 1000 + index)
        if think:  # people do not all click at the same instant: start within one reading pause
            time.sleep(rng.uniform(0, think))
        while sum(1 for s in client.samples if s[0] != "login") < requests_per_client and time.monotonic() < deadline:
            client.visit(rng)
        return client

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        done = list(pool.map(one, range(len(logged_in))))
    elapsed = time.monotonic() - started
    done += [c for c in everyone if c not in logged_in]
    stop.set()
    sampler.join()
    samples = [s for c in done for s in c.samples]
    pages = [s for s in samples if s[0] != "login"]
    latencies = [s[1] for s in pages]
    by_page = {}
    for name in sorted({s[0] for s in samples}):
        values = [s[1] for s in samples if s[0] == name]
        by_page[name] = {
            "requests": len(values),
            "p50_ms": ms(percentile(values, 50)),
            "p95_ms": ms(percentile(values, 95)),
            "errors": sum(1 for s in samples if s[0] == name and not s[2]),
        }
    return {
        "clients": clients,
        "think_seconds": think,
        "clients_logged_in": len(logged_in),
        "login_seconds": round(login_seconds, 1),
        "requests": len(pages),
        "login_requests": len(samples) - len(pages),
        "errors": sum(1 for s in samples if not s[2]),
        "seconds": round(elapsed, 1),
        "hit_time_cap": time.monotonic() >= deadline,
        "requests_per_second": round(len(pages) / elapsed, 1),
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "mean_ms": ms(statistics.fmean(latencies)) if latencies else None,
        "by_page": by_page,
        "load": {
            "before": [round(x, 2) for x in load_before],
            "after_logins": [round(x, 2) for x in load_after_logins],
            "after": [round(x, 2) for x in os.getloadavg()],
            "max_1min_during": round(max(sampled), 2) if sampled else None,
        },
    }


def wait_for_quiet(limit: float, deadline: float, every: float = 60) -> None:
    """Waits until the 1-minute load average is below `limit`, checking every minute, until `deadline` (then runs anyway)."""
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        print(f"load {os.getloadavg()[0]:.2f} ≥ {limit}: waiting", flush=True)
        time.sleep(every)


def scale_of(database_url: str) -> dict:
    """What the database holds: households, persons, warnings."""
    tables = {"households": "registry_household", "persons": "registry_person", "warnings": "monitoring_warning"}
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return {k: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for k, t in tables.items()}  # noqa: S608
    import psycopg

    with psycopg.connect(database_url) as conn:
        return {k: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for k, t in tables.items()}  # noqa: S608


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the servers (finally below)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=str(ROOT / "data" / "demo.sqlite3"),
        help="the demo county: an SQLite file (copied first) or a postgres:// URL",
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--requests", type=int, default=60, help="requests per client, logins not counted")
    parser.add_argument("--time-cap", type=float, default=90, help="seconds per run")
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=list(SERVERS))
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1],
        help="processes of the waitress server, each on its own port (e.g. 1 2 4); the baseline is always one",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        metavar="SECONDS",
        help="mean pause after each page (exponential), a person reading it; 0: none, each client asks again at once",
    )
    parser.add_argument(
        "--wait-load",
        type=float,
        default=0,
        metavar="LOAD",
        help="before each run wait until the 1-minute load average is below LOAD (checked each minute; 20 min in all at most)",
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="doudi-load-"))
    if args.database.startswith(("postgres://", "postgresql://")):
        assert urllib.parse.urlsplit(args.database).hostname in (HOST, "localhost"), "load tests only on this machine"
        database_url, engine = args.database, "postgresql"
    else:
        source = Path(args.database)
        if not source.is_file():
            print(f"没有演示县数据库 {source}：先运行 DOUDI_DATA_DIR={source.parent} doudi demo --no-serve", file=sys.stderr)
            return 2
        copy = scratch / "load.sqlite3"
        shutil.copyfile(source, copy)
        database_url, engine = f"sqlite:///{copy}", "sqlite"
    data_dir = scratch / "data"
    data_dir.mkdir()
    # The demo database may predate the newest migrations of this checkout.
    subprocess.run(
        [*DOUDI, "migrate", "-v", "0"],
        check=True,
        env={**os.environ, "DATABASE_URL": database_url, "DOUDI_DATA_DIR": str(data_dir), "DOUDI_ENV": "development"},
    )
    report = {
        "benchmark": "load_bench",
        "database": args.database,
        "engine": engine,
        "scale": scale_of(database_url),
        "command": " ".join(["python -m bench.load_bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "scenario": {
            "requests_per_client": args.requests,
            "time_cap_seconds": args.time_cap,
            "visit": "household search, 2 household pages, warning list, 1 warning, payroll list",
            "think_seconds": args.think,
        },
        "runs": [],
    }
    plan = [(name, 1 if SERVERS[name] == 1 else workers) for name in args.servers for workers in args.workers]
    plan = list(dict.fromkeys(plan))
    wait_deadline = time.monotonic() + 20 * 60
    try:
        for name, workers in plan:
            servers = []
            try:
                for index in range(workers):
                    servers.append(Server(database_url, data_dir, SERVERS[name], scratch / f"{name}-{index}.log"))
                print(f"{name} × {workers}: pids {[s.process.pid for s in servers]}", flush=True)
                for clients in args.clients:
                    if args.wait_load:
                        wait_for_quiet(args.wait_load, wait_deadline)
                    result = {
                        "server": name,
                        "threads": SERVERS[name],
                        "workers": workers,
                        **run_load([s.base for s in servers], clients, args.requests, args.time_cap, args.seed, args.think),
                    }
                    report["runs"].append(result)
                    print(json.dumps({k: v for k, v in result.items() if k != "by_page"}, ensure_ascii=False), flush=True)
                    time.sleep(5)  # let the load average settle a little between runs
            finally:
                for server in servers:
                    server.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        out = Path(args.out)  # what was measured, also when a later run failed
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
