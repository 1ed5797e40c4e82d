from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "doudi.datasets"
    label = "datasets"
    verbose_name = "部门比对数据"

    def ready(self):
        pass  # menu entries: doudi.core.navigation.add_menu_entry(...)
