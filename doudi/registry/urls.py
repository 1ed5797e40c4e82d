from django.urls import path

from doudi.registry import views, views_import

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/<str:code>/", views.household_detail, name="household_detail"),
    path("households/<str:code>/edit/", views.household_edit, name="household_edit"),
    path("persons/", views.person_search, name="person_search"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/unmask/<str:field>/", views.person_unmask, name="person_unmask"),
    path("import/", views_import.upload, name="import_upload"),
    path("import/pending/", views_import.pending_list, name="import_pending"),
    path("import/pending/<int:pk>/", views_import.pending_decide, name="import_pending_decide"),
    path("import/account-changes/", views_import.account_changes, name="import_account_changes"),
    path("import/<str:token>/", views_import.preview, name="import_preview"),
    path("import/<str:token>/errors.xlsx", views_import.errors_xlsx, name="import_errors"),
]
