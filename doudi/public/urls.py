from django.urls import path

from doudi.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.applied, name="applied"),
    path("track/", views.track, name="track"),
    path("calculator/", views.calculator, name="calculator"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/<str:code>/", views.publicity_village, name="publicity_village"),
    path("card/<str:code>/", views.card, name="card"),
    path("card/<str:code>/renew/", views.card_renew, name="card_renew"),
    path("s/<str:token>/", views.status, name="status"),
]
