from django.urls import path

from doudi.monitoring import views

urlpatterns = [
    path("compare/", views.compare_start, name="compare_start"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/bulk/", views.warnings_bulk, name="warnings_bulk"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/visit/", views.warning_visit, name="warning_visit"),
    path("warnings/<int:pk>/confirm/", views.warning_confirm, name="warning_confirm"),
    path("warnings/<int:pk>/dismiss/", views.warning_dismiss, name="warning_dismiss"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("low-income/", views.low_income_list, name="low_income_list"),
    path("low-income/<str:code>/", views.household_chain, name="household_chain"),
    path("cadre-register/", views.cadre_register, name="cadre_register"),
]
