"""Base for doudi's commands: refuses an unmigrated database with a message saying
what to run, and turns a user's mistake into a Chinese message and a non-zero exit."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from doudi.core.tabular.errors import ImportRejected


def ensure_migrated() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # unreachable server, bad URL
        raise CommandError(f"无法连接数据库：{exc}") from None
    if plan:
        raise CommandError("数据库尚未初始化或不是最新结构，请先运行：doudi migrate")


def counties_under(region: str | None) -> dict[str, str]:
    """{code: name} of the counties a command over `region` (or the whole database) covers."""
    from doudi.core.models import Region

    code = (region or "").strip()
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    counties = counties.filter(code=code[:6]) if len(code) >= 6 else counties.filter(code__startswith=code)
    return dict(counties.order_by("code").values_list("code", "name"))


class Progress:
    """Progress lines on stderr while a long job runs."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr

    def __call__(self, stage: str, done: int, total: int) -> None:
        suffix = f" {done:,}/{total:,}" if total else ""
        self.stream.write(f"[进度] {stage}{suffix}\n")
        self.stream.flush()


class DoudiCommand(BaseCommand):
    needs_database = True

    def execute(self, *args, **options):
        if self.needs_database:
            ensure_migrated()
        try:
            return super().execute(*args, **options)
        except ImportRejected as rejected:
            for error in rejected.errors[:50]:
                self.stderr.write(f"  {error}")
            more = rejected.total - min(50, len(rejected.errors))
            if more > 0:
                self.stderr.write(f"  ……另有{more}处错误")
            raise CommandError(f"导入被拒绝：共{rejected.total}处错误，未写入任何数据。") from None
