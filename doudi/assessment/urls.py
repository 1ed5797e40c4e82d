from django.urls import path

from doudi.assessment import views, views_evaluation, views_parameters, views_simulate

app_name = "assessment"

urlpatterns = [
    path("", views.assess_page, name="assess"),
    path("row/<str:kind>/", views.assess_row, name="assess_row"),
    path("simulate/", views_simulate.simulate, name="simulate"),
    path("simulate/row/", views_simulate.simulate_row, name="simulate_row"),
    path("simulate/<int:pk>/", views_simulate.simulation_result, name="simulation_result"),
    path("evaluations/", views_evaluation.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/", views_evaluation.evaluation_detail, name="evaluation_detail"),
    path("parameters/", views_parameters.parameters_page, name="parameters"),
]
