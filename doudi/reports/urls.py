from django.urls import path

from doudi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("winter-weekly/<str:period>/<str:region>/", views.table, name="table"),
    path("winter-weekly/<str:period>/<str:region>/submit/", views.submit, name="submit"),
    path("winter-weekly/<str:period>/<str:region>/<str:unit>/<str:figure>/", views.drill, name="drill"),
]
