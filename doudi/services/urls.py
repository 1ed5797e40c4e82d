from django.urls import path

from doudi.services import views_goods, views_hotline
from doudi.services import views_institutions as vi

app_name = "services"
urlpatterns = [
    path("institutions/", vi.institution_list, name="institutions"),
    path("institutions/new/", vi.institution_new, name="institution_new"),
    path("institutions/residents/", vi.resident_list, name="residents"),
    path("institutions/findings/", vi.finding_list, name="findings"),
    path("institutions/duty/", vi.duty_list, name="duties"),
    path("institutions/<int:pk>/", vi.institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", vi.institution_edit, name="institution_edit"),
    path("institutions/<int:pk>/residents/", vi.resident_add, name="resident_add"),
    path("institutions/<int:pk>/residents/<int:rid>/leave/", vi.resident_leave, name="resident_leave"),
    path("institutions/<int:pk>/inspections/", vi.inspection_add, name="inspection_add"),
    path("institutions/<int:pk>/inspections/<int:iid>/findings/", vi.finding_add, name="finding_add"),
    path("institutions/<int:pk>/plans/", vi.plan_upload, name="plan_upload"),
    path("institutions/<int:pk>/plans/<int:plan>/", vi.plan_file, name="plan"),
    path("institutions/<int:pk>/duty/", vi.duty_add, name="duty_add"),
    path("findings/<int:fid>/fix/", vi.finding_fix, name="finding_fix"),
    path("hotline/", views_hotline.order_list, name="orders"),
    path("hotline/new/", views_hotline.order_new, name="order_new"),
    path("hotline/times/", views_hotline.order_times, name="order_times"),
    path("hotline/<int:pk>/", views_hotline.order_detail, name="order"),
    path("hotline/<int:pk>/do/<str:action>/", views_hotline.order_act, name="order_act"),
    path("hotline/<int:pk>/case/", views_hotline.order_case, name="order_case"),
    path("goods/", views_goods.goods_home, name="goods"),
    path("goods/entries/", views_goods.entry_list, name="goods_entries"),
    path("goods/receive/", views_goods.receive, name="goods_receive"),
    path("goods/issue/", views_goods.issue, name="goods_issue"),
    path("goods/weekly/", views_goods.weekly, name="goods_weekly"),
]
