from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "doudi.core"
    label = "core"
    verbose_name = "基础：行政区划、用户与审计"

    def ready(self):
        from doudi.core.navigation import add_menu_entry
        from doudi.core.roles import MANAGE_USERS, VIEW_UNMASK_LOG

        add_menu_entry(0, "首页", "home", None)
        add_menu_entry(95, "登录锁定", "login_locks", MANAGE_USERS)
        add_menu_entry(93, "用户管理", "user_list", MANAGE_USERS, group="系统")
        add_menu_entry(94, "敏感信息查看记录", "unmask_log", VIEW_UNMASK_LOG, group="系统")
        checks.register(public_secret_key_check, checks.Tags.security, deploy=True)


def public_secret_key_check(app_configs, **kwargs):
    """Django's own key check passes the demo key (long, varied), yet it is in the source."""
    from django.conf import settings

    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        return [
            checks.Warning(
                "SECRET_KEY 是源代码中公开的演示密钥，任何人都能伪造登录会话",
                hint="设置 DOUDI_SECRET_KEY 或 DOUDI_SECRET_KEY_FILE，并设置 DOUDI_ENV=production（见 docs/deploy.md）",
                id="doudi.W001",
            )
        ]
    return []
