from django.contrib import admin
from django.urls import include, path

from doudi.cases.api import api as cases_api
from doudi.datasets.api import api as datasets_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("doudi.workbench.urls")),
    path("", include("doudi.core.urls")),
    path("", include("doudi.registry.urls")),
    path("assessment/", include("doudi.assessment.urls")),
    path("datasets/", include("doudi.datasets.urls")),
    path("api/datasets/", datasets_api.urls),
    path("monitoring/", include("doudi.monitoring.urls")),
    path("payments/", include("doudi.payments.urls")),
    path("cases/", include("doudi.cases.urls")),
    path("care/", include("doudi.care.urls")),
    path("services/", include("doudi.services.urls")),
    path("reports/", include("doudi.reports.urls")),
    path("api/", cases_api.urls),
    path("public/", include("doudi.public.urls")),
]

# 403, 404 and 500 use Django's handlers, which render the Chinese 403.html, 404.html and
# 500.html (and 403_csrf.html for a failed CSRF check); 400 needs its own (core/views.py).
handler400 = "doudi.core.views.bad_request"
