from django.contrib.auth import views as auth_views
from django.urls import path

from doudi.core import views, views_jobs

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login-locks/", views.login_locks, name="login_locks"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views_jobs.job_progress, name="job_progress"),
]
