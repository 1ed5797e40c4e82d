from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "doudi.assessment"
    label = "assessment"
    verbose_name = "测算与批量评估"

    def ready(self):
        from doudi.core.navigation import SYSTEM, add_menu_entry
        from doudi.core.roles import ASSESS, MANAGE_PARAMETERS, SIMULATE_POLICY

        add_menu_entry(20, "测算", "assessment:assess", ASSESS)
        add_menu_entry(21, "批量评估", "assessment:evaluation_list", ASSESS)
        add_menu_entry(22, "政策测算", "assessment:simulate", SIMULATE_POLICY)
        add_menu_entry(90, "参数管理", "assessment:parameters", MANAGE_PARAMETERS, group=SYSTEM)
