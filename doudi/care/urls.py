from django.urls import path

from doudi.care import views, views_problems, views_visits

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
]
