from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "doudi.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        from doudi.core.navigation import SYSTEM, add_menu_entry
        from doudi.core.roles import VIEW_DASHBOARD, VIEW_REPORTS, VIEW_SUPERVISION

        # The menu's groups are fixed in core/navigation.py; reports sit with 系统 until a 报表 group exists.
        add_menu_entry(60, "统计报表", "reports:index", VIEW_REPORTS, group=SYSTEM)
        add_menu_entry(61, "驾驶舱", "reports:dashboard", VIEW_DASHBOARD, group=SYSTEM)
        add_menu_entry(62, "督导检查", "reports:supervision", VIEW_SUPERVISION, group=SYSTEM)
