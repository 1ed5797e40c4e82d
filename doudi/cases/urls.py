from django.urls import path

from doudi.cases import views, views_lifecycle, views_side, views_temp

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
    path("temp/county-run/", views_temp.county_run, name="temp_county_run"),
    path("bulk/evaluation/<int:pk>/", views_lifecycle.bulk_evaluation, name="bulk_evaluation"),
    path("bulk/warnings/", views_lifecycle.bulk_warnings, name="bulk_warnings"),
    path("reviews/", views_lifecycle.reviews, name="reviews"),
    path("reviews/open/", views_lifecycle.reviews_open, name="reviews_open"),
    path("emergency/", views_lifecycle.emergency, name="emergency"),
    path("referrals/", views_side.referral_list, name="referrals"),
    path("spot-checks/", views_side.spot_checks, name="spot_checks"),
    path("spot-checks/<int:pk>/", views_side.spot_check_record, name="spot_check_record"),
    path("<str:number>/referrals/", views_side.referral_add, name="referral_add"),
    path("<str:number>/referrals/<int:pk>/answer/", views_side.referral_answer, name="referral_answer"),
    path("<str:number>/life/<str:action>/", views_lifecycle.life_act, name="life_act"),
    path("<str:number>/temp/<str:action>/", views_temp.act, name="temp_act"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/do/<str:action>/", views.act, name="act"),
    path("<str:number>/documents/", views.document_upload, name="document_upload"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("<str:number>/refusal-notice/", views.refusal_notice, name="refusal_notice"),
]
