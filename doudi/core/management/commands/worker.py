"""`doudi worker`: runs background jobs started from the web in this process (docs/interfaces.md §1).

With DOUDI_JOBS=worker (production's default) the web pages only queue a job; one or
more `doudi worker` processes claim queued jobs and run them (core/jobs.py Worker).
`--once` runs what is queued now and exits (tests, a cron-style setup)."""

from doudi.core.jobs import Worker
from doudi.core.management.base import DoudiCommand


class Command(DoudiCommand):
    help = "运行网页发起的后台任务（批量评估、比对、政策测算、花名册生成）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="运行当前排队的任务后退出")
        parser.add_argument("--poll", type=float, default=2.0, help="空闲时每隔几秒查看一次任务队列（默认 2）")

    def handle(self, *args, once, poll, **options):
        worker = Worker(poll_seconds=max(0.2, poll), stdout=self.stdout)
        if once:
            ran = worker.run_queued()
            self.stdout.write(f"运行了 {ran} 个任务")
            return
        worker.install_signal_handlers()
        worker.run_forever()
