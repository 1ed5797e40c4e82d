from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "doudi.registry"
    label = "registry"
    verbose_name = "困难群众台账"

    def ready(self):
        from doudi.core.navigation import MONEY, add_menu_entry
        from doudi.core.roles import IMPORT_REGISTRY, UNMASK_BANK, VIEW_REGISTRY

        add_menu_entry(10, "家庭台账", "household_list", VIEW_REGISTRY)
        add_menu_entry(11, "人员查询", "person_search", VIEW_REGISTRY)
        add_menu_entry(12, "台账导入", "import_upload", IMPORT_REGISTRY)
        add_menu_entry(13, "待县级确认的保障", "import_pending", IMPORT_REGISTRY)
        # Finance sees where money will go before the next payroll pays it there.
        add_menu_entry(58, "银行账号变更", "import_account_changes", UNMASK_BANK, group=MONEY)
