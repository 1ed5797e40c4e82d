from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "doudi.payments"
    label = "payments"
    verbose_name = "资金发放"

    def ready(self):
        pass  # menu entries: doudi.core.navigation.add_menu_entry(...)
