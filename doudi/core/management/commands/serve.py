"""`doudi serve`: the web app on the configured database (waitress, no extra server)."""

from doudi.core.management.base import DoudiCommand


class Command(DoudiCommand):
    help = "在配置的数据库上启动网页服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        serve(host=host, port=port, threads=threads, stdout=self.stdout)


def serve(*, host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from doudi.wsgi import application

    stdout.write(f"兜底已启动：http://{host}:{port}/ （按 Ctrl+C 停止）")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="doudi")
