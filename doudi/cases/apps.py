from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "doudi.cases"
    label = "cases"
    verbose_name = "案件办理"

    def ready(self):
        from doudi.core.navigation import add_menu_entry
        from doudi.core.roles import RECEIVE_CASES, VIEW_CASE_OVERRIDES, VIEW_CASES

        add_menu_entry(25, "案件工作台", "cases:queue", VIEW_CASES)
        add_menu_entry(26, "受理申请", "cases:apply", RECEIVE_CASES)
        add_menu_entry(27, "改判清单", "cases:overrides", VIEW_CASE_OVERRIDES)
        add_menu_entry(28, "临时救助", "cases:temp_register", VIEW_CASES)
