from django.contrib import admin
from django.urls import include, path

from doudi.datasets.api import api as datasets_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("doudi.core.urls")),
    path("", include("doudi.registry.urls")),
    path("assessment/", include("doudi.assessment.urls")),
    path("datasets/", include("doudi.datasets.urls")),
    path("api/datasets/", datasets_api.urls),
    path("monitoring/", include("doudi.monitoring.urls")),
    path("payments/", include("doudi.payments.urls")),
]
