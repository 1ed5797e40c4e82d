from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "doudi.payments"
    label = "payments"
    verbose_name = "资金发放"

    def ready(self):
        from doudi.core.navigation import add_menu_entry
        from doudi.core.roles import VIEW_PAYROLL, VIEW_RESERVE

        add_menu_entry(50, "发放花名册", "payroll_list", VIEW_PAYROLL)
        add_menu_entry(51, "价格临时补贴", "price_subsidy", VIEW_PAYROLL)
        add_menu_entry(52, "一次性发放", "campaign_list", VIEW_PAYROLL)
        add_menu_entry(53, "资金台账", "fund_ledger", VIEW_PAYROLL)
        add_menu_entry(54, "临时救助备用金", "reserve", VIEW_RESERVE)
