from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doudi.core"
    label = "core"
    verbose_name = "基础：行政区划、用户与审计"
