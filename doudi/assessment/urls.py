from django.urls import path

from doudi.assessment import views

urlpatterns = [
    path("", views.assess_page, name="assess"),
    path("row/<str:kind>/", views.assess_row, name="assess_row"),
]
