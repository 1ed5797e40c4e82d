from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "doudi.services"
    label = "services"
    verbose_name = "救助服务"

    def ready(self):
        from doudi.core.navigation import ASSESSMENT, LEDGER, MONEY, add_menu_entry
        from doudi.core.roles import VIEW_DONATIONS, VIEW_GOODS, VIEW_HOTLINE, VIEW_INSTITUTIONS, VIEW_RESCUE

        # The menu's groups are fixed in core/navigation.py: institutions are a register (台账),
        # the hotline is where requests come in (认定, beside 受理申请), goods are handed out (资金).
        add_menu_entry(14, "服务机构", "services:institutions", VIEW_INSTITUTIONS, group=LEDGER)
        add_menu_entry(29, "救助热线", "services:orders", VIEW_HOTLINE, group=ASSESSMENT)
        add_menu_entry(57, "救助物资", "services:goods", VIEW_GOODS, group=MONEY)
        # Street rescue finds people (as the hotline does); the donation account is money.
        add_menu_entry(30, "流浪救助", "services:patrols", VIEW_RESCUE, group=ASSESSMENT)
        add_menu_entry(59, "捐赠专户", "services:donations", VIEW_DONATIONS, group=MONEY)
        # Disaster relief registers the affected (台账) and pays them through payroll runs.
        from doudi.core.roles import VIEW_RELIEF
        from doudi.payments import relief as relief_runs
        from doudi.services.models import Disaster

        add_menu_entry(16, "受灾群众", "services:relief", VIEW_RELIEF, group=LEDGER)
        relief_runs.register_namer(lambda pk: Disaster.objects.filter(pk=pk).values_list("name", flat=True).first())
