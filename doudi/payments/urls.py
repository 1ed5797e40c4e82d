from django.urls import path

from doudi.payments import views, views_funds, views_overpayments, views_reserve

urlpatterns = [
    path("runs/", views.run_list, name="payroll_list"),
    path("runs/build/", views.run_build, name="payroll_build"),
    path("runs/<int:pk>/", views.run_detail, name="payroll_detail"),
    path("runs/<int:pk>/action/<str:action>/", views.run_action, name="payroll_action"),
    path("runs/<int:pk>/bank-file/<str:layout>/", views.run_bank_file, name="payroll_bank_file"),
    path("runs/<int:pk>/return/", views.run_return, name="payroll_return"),
    path("price-subsidy/", views_funds.price_screen, name="price_subsidy"),
    path("campaigns/", views_funds.campaign_list, name="campaign_list"),
    path("campaigns/<str:code>/", views_funds.campaign_detail, name="campaign_detail"),
    path("campaigns/<str:code>/build/", views_funds.campaign_run, name="campaign_build"),
    path("ledger/", views_funds.fund_ledger, name="fund_ledger"),
    path("reserve/", views_reserve.reserve_page, name="reserve"),
    path("reserve/draw/", views_reserve.reserve_draw, name="reserve_draw"),
    path("reserve/allocate/", views_reserve.reserve_allocate, name="reserve_allocate"),
    path("reserve/<int:pk>/reverse/", views_reserve.reserve_reverse, name="reserve_reverse"),
    path("reserve/<int:pk>/<str:action>/", views_reserve.reserve_decide, name="reserve_decide"),
    path("overpayments/", views_overpayments.overpayment_list, name="overpayment_list"),
    path("overpayments/<int:pk>/", views_overpayments.overpayment_detail, name="overpayment_detail"),
    path("overpayments/<int:pk>/recover/", views_overpayments.overpayment_recover, name="overpayment_recover"),
    path("overpayments/<int:pk>/writeoff/<str:action>/", views_overpayments.overpayment_writeoff, name="overpayment_writeoff"),
]
