from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "doudi.monitoring"
    label = "monitoring"
    verbose_name = "数据比对与预警"

    def ready(self):
        from doudi.core.navigation import add_menu_entry
        from doudi.core.roles import RUN_COMPARISON, VIEW_CADRE_REGISTER, VIEW_REGISTRY, VIEW_WARNINGS

        add_menu_entry(45, "预警处理", "warning_list", VIEW_WARNINGS)
        add_menu_entry(46, "数据比对", "compare_start", RUN_COMPARISON)
        add_menu_entry(47, "低收入人口库", "low_income_list", VIEW_REGISTRY)
        add_menu_entry(48, "人情保备案", "cadre_register", VIEW_CADRE_REGISTER)
