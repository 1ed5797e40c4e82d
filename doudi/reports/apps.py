from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "doudi.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        from doudi.core.navigation import SYSTEM, add_menu_entry
        from doudi.core.roles import VIEW_REPORTS

        # The menu's groups are fixed in core/navigation.py; reports sit with 系统 until a 报表 group exists.
        add_menu_entry(60, "统计报表", "reports:index", VIEW_REPORTS, group=SYSTEM)
