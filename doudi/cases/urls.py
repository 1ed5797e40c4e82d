from django.urls import path

from doudi.cases import views, views_temp

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("apply/", views.apply, name="apply"),
    path("overrides/", views.overrides, name="overrides"),
    path("approve-batch/", views.approve_batch, name="approve_batch"),
    path("temp/", views_temp.register, name="temp_register"),
    path("temp/apply/", views_temp.apply, name="temp_apply"),
    path("temp/advances/", views_temp.advances, name="temp_advances"),
    path("temp/conferences/", views_temp.conferences, name="temp_conferences"),
    path("temp/from-warning/<int:pk>/", views_temp.from_warning, name="temp_from_warning"),
    path("<str:number>/temp/<str:action>/", views_temp.act, name="temp_act"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/do/<str:action>/", views.act, name="act"),
    path("<str:number>/documents/", views.document_upload, name="document_upload"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("<str:number>/refusal-notice/", views.refusal_notice, name="refusal_notice"),
]
