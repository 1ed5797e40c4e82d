from django.urls import path

from doudi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("apply/", views.apply, name="apply"),
    path("overrides/", views.overrides, name="overrides"),
    path("approve-batch/", views.approve_batch, name="approve_batch"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/do/<str:action>/", views.act, name="act"),
    path("<str:number>/documents/", views.document_upload, name="document_upload"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("<str:number>/refusal-notice/", views.refusal_notice, name="refusal_notice"),
]
