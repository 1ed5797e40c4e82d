"""`doudi demo`: builds (or reuses) the synthetic demo county on the embedded database,
creates one login per role and serves the web app."""

import subprocess
import sys
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from doudi.core.demo import DEMO_PASSWORD, demo_users
from doudi.core.management.base import DoudiCommand, Progress
from doudi.core.management.commands.serve import serve
from doudi.core.services import regions_load
from doudi.registry.models import Household
from doudi.registry.services import registry_import

REGISTRY_FILES = ("家庭.csv", "成员.csv", "保障.csv")
# Apps with a demo.py defining build_demo(seed, stdout, stderr), run in this order.
DEMO_STEPS: list[str] = ["datasets", "monitoring", "payments", "cases", "care", "services", "reports"]


class Command(DoudiCommand):
    help = "生成（或复用）演示县数据并启动网页服务"
    needs_database = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args, host, port, seed, no_serve, **options):
        call_command("migrate", verbosity=0)
        if not Household.objects.exists():
            self._build(seed)
        for app in DEMO_STEPS:
            # Each app adds its own demo data (idempotent: a reused demo database is topped up).
            import_module(f"doudi.{app}.demo").build_demo(seed=seed, stdout=self.stdout, stderr=self.stderr)
        logins = demo_users()
        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, role, region in logins:
            self.stdout.write(f"  {username:<12} {role:<16} {region}")
        if not no_serve:
            serve(host=host, port=port, threads=8, stdout=self.stdout)

    def _build(self, seed: int) -> None:
        folder = Path(settings.DATA_DIR) / f"demo-county-{seed}"
        if not all((folder / name).exists() for name in REGISTRY_FILES):
            self.stderr.write("[进度] 生成演示县合成数据……")
            subprocess.run(
                [sys.executable, "-m", "doudi.synth", "--scale", "county", "--seed", str(seed), "--out", str(folder)], check=True
            )
        regions_file = next(p for p in sorted(folder.glob("*.csv")) if p.name not in REGISTRY_FILES)
        regions_load(path=regions_file)
        summary = registry_import(paths=[folder], progress=Progress(self.stderr._out), label="演示县合成数据")
        self.stdout.write(
            f"演示县已建好：{summary['households_new']} 户，{summary['persons_new']} 人，{summary['benefits_new']} 项保障"
        )
