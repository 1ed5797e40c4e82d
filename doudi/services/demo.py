"""Demo data of the services app for the demo county (idempotent: a reused demo database is
topped up). Disaster relief: demo_relief.py."""

from __future__ import annotations

from doudi.core.models import Region

DEMO_COUNTY = "140521"


def build_demo(*, seed: int, stdout, stderr) -> None:
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        return
    from doudi.core.demo import demo_users
    from doudi.services.demo_relief import build_relief_demo

    demo_users()
    relief = build_relief_demo(stderr=stderr)
    if relief:
        stdout.write(f"救助服务演示数据已就绪{relief}。\n")
