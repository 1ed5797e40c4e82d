from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("doudi.core.urls")),
    path("", include("doudi.registry.urls")),
]
