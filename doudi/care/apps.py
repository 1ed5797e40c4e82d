from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "doudi.care"
    label = "care"
    verbose_name = "走访关爱"

    def ready(self):
        from doudi.care.imported import store_family_apart, store_special_groups
        from doudi.core.navigation import LEDGER, add_menu_entry
        from doudi.core.roles import MANAGE_GROUPS, RECORD_VISIT, VIEW_CARE, VIEW_CHILD_VISITS, VIEW_CHILDREN, VIEW_COVERAGE
        from doudi.registry.importing.apply import add_after_write

        # Under 台账: the menu's groups are fixed in core/navigation.py, and visits concern the register's people.
        add_menu_entry(16, "走访任务", "care:duties", RECORD_VISIT, group=LEDGER)
        # 儿童主任 and 儿童督导员 see the visits to 困境儿童 only (care/selectors.py visits_for).
        add_menu_entry(17, "走访记录", "care:visits", VIEW_CHILD_VISITS, group=LEDGER)
        add_menu_entry(18, "走访问题", "care:problems", VIEW_CARE, group=LEDGER)
        add_menu_entry(19, "走访覆盖", "care:coverage", VIEW_COVERAGE, group=LEDGER)
        add_menu_entry(13, "特殊群体", "care:groups", MANAGE_GROUPS, group=LEDGER)
        add_menu_entry(14, "照料协议", "care:agreements", VIEW_CARE, group=LEDGER)
        add_menu_entry(15, "困境儿童", "care:children", VIEW_CHILDREN, group=LEDGER)
        add_menu_entry(19, "集中供养需求", "care:placement", VIEW_CARE, group=LEDGER)
        add_menu_entry(19, "集中走访慰问", "care:campaigns", VIEW_CARE, group=LEDGER)
        # The import's optional 成员 columns (特殊困难老年人, 困境儿童, 精神障碍患者) become flags.
        add_after_write(store_special_groups)
        # 分开居住的家庭成员 (the 附件1 question 2) from the same 成员 sheet.
        add_after_write(store_family_apart)
