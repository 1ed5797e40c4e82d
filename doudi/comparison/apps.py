from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "doudi.comparison"
    label = "comparison"
    verbose_name = "数据比对与预警"

    def ready(self):
        pass  # menu entries: doudi.core.navigation.add_menu_entry(...)
