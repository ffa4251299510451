from django.urls import path

from . import views

app_name = "payroll"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/", views.runs, name="runs"),
    path("targets/", views.targets, name="targets"),
    path("kpis/", views.kpis, name="kpis"),
    path("bonuses/", views.extras, name="extras"),
    path("what-if/", views.what_if, name="what_if"),
    path("my/", views.my_slips, name="my_slips"),
    path("profiles/", views.profiles, name="profiles"),
    path("runs/<str:month>/", views.run_detail, name="run"),
    path("runs/<str:month>/state/", views.run_state, name="run_state"),
    path("runs/<str:month>/compute/", views.run_compute, name="run_compute"),
    path("runs/<str:month>/orders/", views.run_orders, name="run_orders"),
    path("runs/<str:month>/export.xlsx", views.run_export, name="run_export"),
    path("slips/<int:pk>/", views.slip_detail, name="slip"),
    path("slips/<int:pk>/slip.pdf", views.slip_pdf, name="slip_pdf"),
]
