"""The project's URLs plus one view that fails: what a user sees on an error 500."""

from django.urls import path

from doudi.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("测试用的程序错误")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
