from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public side of the cases (issue 14 item 6): apply online, track progress, the
    policy calculator, online 公示, and the household's masked status page opened from the
    救助明白卡's QR code. No login, except the 明白卡 itself (staff, region-scoped)."""

    name = "doudi.public"
    label = "public"
    verbose_name = "网上服务"
