from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """工作台: the composition layer above every app (docs/architecture.md). The home page is
    a to-do list per role, fed by each app's selectors through a small registry (todo.py);
    the header search; notifications for hand-overs."""

    name = "doudi.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self):
        from doudi.workbench import handovers, sources

        sources.register()
        handovers.connect()
