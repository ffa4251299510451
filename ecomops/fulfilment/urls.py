from django.urls import path

from . import views

app_name = "fulfilment"
urlpatterns = [
    path("", views.station, name="station"),
    path("scan/", views.station_scan, name="station_scan"),
    path("finish/", views.station_finish, name="station_finish"),
    path("pack/", views.station_pack, name="station_pack"),
    path("weigh/", views.station_weigh, name="station_weigh"),
    path("discard/", views.station_discard, name="station_discard"),
    path("checks/<int:pk>/packing-list.pdf", views.packing_list, name="check_packing_list"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/new/", views.handover_open, name="handover_open"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("handovers/<int:pk>/scan/", views.handover_scan, name="handover_scan"),
    path("handovers/<int:pk>/close/", views.handover_close, name="handover_close"),
    path("handovers/<int:pk>/manifest.pdf", views.handover_pdf, name="handover_pdf"),
    path("handovers/<int:pk>/export/<slug:platform>/", views.handover_export, name="handover_export"),
]
