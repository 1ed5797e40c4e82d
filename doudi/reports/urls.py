from django.urls import path

from doudi.reports import views, views_festival

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("winter-weekly/<str:period>/<str:region>/", views.table, name="table"),
    path("winter-weekly/<str:period>/<str:region>/submit/", views.submit, name="submit"),
    path("winter-weekly/<str:period>/<str:region>/<str:unit>/<str:figure>/", views.drill, name="drill"),
    path("festival/<str:period>/<str:region>/", views_festival.table, name="festival"),
    path("festival/<str:period>/<str:region>/submit/", views_festival.submit, name="festival_submit"),
    path("festival/<str:period>/<str:region>/<str:unit>/<str:figure>/", views_festival.drill, name="festival_drill"),
]
