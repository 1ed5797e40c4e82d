from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doudi.core"
    label = "core"
    verbose_name = "基础：行政区划、用户与审计"

    def ready(self):
        from doudi.core.navigation import add_menu_entry

        add_menu_entry(0, "首页", "home", None)
