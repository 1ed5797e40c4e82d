from django.urls import path

from doudi.datasets import views

urlpatterns = [
    path("", views.import_list, name="dataset_list"),
    path("upload/", views.upload, name="dataset_upload"),
    path("upload/<str:token>/", views.preview, name="dataset_preview"),
    path("<int:pk>/", views.detail, name="dataset_detail"),
]
