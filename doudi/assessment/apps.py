from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "doudi.assessment"
    label = "assessment"
    verbose_name = "测算与批量评估"

    def ready(self):
        pass  # menu entries: doudi.core.navigation.add_menu_entry(...)
