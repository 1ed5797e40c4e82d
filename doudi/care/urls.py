from django.urls import path

from doudi.care import views, views_campaign, views_problems, views_support, views_visits

app_name = "care"
urlpatterns = [
    path("", views.duty_list, name="duties"),
    path("coverage/", views.coverage, name="coverage"),
    path("groups/", views.group_review, name="groups"),
    path("groups/decide/", views.suggestion_decide, name="suggestion_decide"),
    path("persons/<int:pk>/", views.person_care, name="person"),
    path("persons/<int:pk>/groups/", views.person_groups_save, name="person_groups"),
    path("persons/<int:pk>/family/", views.family_add, name="family_add"),
    path("family/<int:pk>/end/", views.family_end, name="family_end"),
    path("persons/<int:pk>/visit/", views_visits.visit_new, name="visit_new"),
    path("visits/", views_visits.visit_list, name="visits"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit"),
    path("visits/<int:pk>/signature/<str:who>/", views_visits.visit_signature, name="signature"),
    path("photos/<int:pk>/", views_visits.visit_photo, name="photo"),
    path("problems/", views_problems.problem_list, name="problems"),
    path("problems/<int:pk>/", views_problems.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", views_problems.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/solve/", views_problems.problem_solve, name="problem_solve"),
    # 照料服务协议, 困境儿童, 集中供养需求 (issue 16 items 5–7)
    path("agreements/", views_support.agreement_list, name="agreements"),
    path("persons/<int:pk>/agreements/new/", views_support.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", views_support.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/replace/", views_support.agreement_replace, name="agreement_replace"),
    path("agreements/<int:pk>/copy/", views_support.agreement_copy, name="agreement_copy"),
    path("children/", views_support.child_list, name="children"),
    path("children/directors/", views_support.director_list, name="directors"),
    path("persons/<int:pk>/child/", views_support.child_detail, name="child"),
    path("persons/<int:pk>/child/guardian/", views_support.guardian_add, name="guardian_add"),
    path("persons/<int:pk>/child/pair/", views_support.child_pair, name="child_pair"),
    path("guardians/<int:pk>/end/", views_support.guardian_end, name="guardian_end"),
    path("placement/", views_support.placement_list, name="placement"),
    path("persons/<int:pk>/placement/", views_support.placement_wish, name="placement_wish"),
    path("placement/<int:pk>/decide/", views_support.placement_decide, name="placement_decide"),
    # 集中走访慰问; a problem starts a case (issue 16)
    path("campaigns/", views_campaign.campaign_list, name="campaigns"),
    path("campaigns/new/", views_campaign.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views_campaign.campaign_detail, name="campaign"),
    path("visits/<int:pk>/campaign/", views_campaign.visit_campaign_mark, name="visit_campaign"),
    path("problems/<int:pk>/case/", views_campaign.problem_case, name="problem_case"),
]
