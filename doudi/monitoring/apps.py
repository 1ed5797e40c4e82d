from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "doudi.monitoring"
    label = "monitoring"
    verbose_name = "数据比对与预警"

    def ready(self):
        pass  # menu entries: doudi.core.navigation.add_menu_entry(...)
