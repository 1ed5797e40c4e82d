from django.urls import path

from doudi.workbench import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("filters/save/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
]
