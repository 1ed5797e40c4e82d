from django.contrib.auth import views as auth_views
from django.urls import path

from doudi.core import views, views_jobs, views_users

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login-locks/", views.login_locks, name="login_locks"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views_jobs.job_progress, name="job_progress"),
    path("users/", views_users.user_list, name="user_list"),
    path("users/new/", views_users.user_create, name="user_create"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views_users.user_active, name="user_active"),
    path("users/<int:pk>/reset-password/", views_users.user_password_reset, name="user_password_reset"),
    path("unmask-log/", views_users.unmask_log, name="unmask_log"),
    path("password/", views_users.password_change, name="password_change"),
]
