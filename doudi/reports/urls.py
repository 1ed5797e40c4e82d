from django.urls import path

from doudi.reports import views, views_accountability, views_dashboard, views_festival, views_supervision, views_tasks

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("winter-weekly/<str:period>/<str:region>/", views.table, name="table"),
    path("winter-weekly/<str:period>/<str:region>/submit/", views.submit, name="submit"),
    path("winter-weekly/<str:period>/<str:region>/<str:unit>/<str:figure>/", views.drill, name="drill"),
    path("festival/<str:period>/<str:region>/", views_festival.table, name="festival"),
    path("festival/<str:period>/<str:region>/submit/", views_festival.submit, name="festival_submit"),
    path("festival/<str:period>/<str:region>/<str:unit>/<str:figure>/", views_festival.drill, name="festival_drill"),
    path("dashboard/", views_dashboard.page, name="dashboard"),
    path("dashboard/data/", views_dashboard.data, name="dashboard_data"),
    path("dashboard/export/<str:chart>/", views_dashboard.export, name="dashboard_export"),
    path("supervision/", views_supervision.index, name="supervision"),
    path("supervision/inspections/new/", views_supervision.inspection_new, name="inspection_new"),
    path("supervision/findings/<int:pk>/", views_supervision.finding, name="finding"),
    path("supervision/findings/<int:pk>/<str:action>/", views_supervision.finding_action, name="finding_action"),
    path("supervision/wrong-inclusions/new/", views_supervision.wrong_new, name="wrong_new"),
    path("supervision/findings/<int:pk>/files/<int:file_pk>/", views_supervision.evidence_file, name="evidence_file"),
    path("supervision/tasks/", views_tasks.index, name="tasks"),
    path("supervision/tasks/new/", views_tasks.task_new, name="task_new"),
    path("due/", views_tasks.due, name="due"),
    path("accountability/", views_accountability.page, name="accountability"),
    path("accountability/export/", views_accountability.export, name="accountability_export"),
    path("accountability/<str:region>/<str:figure>/", views_accountability.drill, name="accountability_drill"),
]
