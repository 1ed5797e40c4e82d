from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "doudi.datasets"
    label = "datasets"
    verbose_name = "部门比对数据"

    def ready(self):
        from doudi.core.navigation import add_menu_entry
        from doudi.core.roles import UPLOAD_DATASET

        add_menu_entry(40, "部门数据报送", "dataset_list", UPLOAD_DATASET)
