from django.urls import path

from . import prepack_views, views

app_name = "fulfilment"
urlpatterns = [
    path("", views.station, name="station"),
    path("scan/", views.station_scan, name="station_scan"),
    path("finish/", views.station_finish, name="station_finish"),
    path("pack/", views.station_pack, name="station_pack"),
    path("weigh/", views.station_weigh, name="station_weigh"),
    path("discard/", views.station_discard, name="station_discard"),
    path("checks/<int:pk>/packing-list.pdf", views.packing_list, name="check_packing_list"),
    path("prepack/", prepack_views.prepack_list, name="prepack_list"),
    path("prepack/new/", prepack_views.prepack_create, name="prepack_create"),
    path("prepack/<int:pk>/", prepack_views.prepack_job, name="prepack_job"),
    path("prepack/<int:pk>/record/", prepack_views.prepack_record, name="prepack_record"),
    path("prepack/<int:pk>/close/", prepack_views.prepack_close, name="prepack_close"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/new/", views.handover_open, name="handover_open"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("handovers/<int:pk>/scan/", views.handover_scan, name="handover_scan"),
    path("handovers/<int:pk>/close/", views.handover_close, name="handover_close"),
    path("handovers/<int:pk>/manifest.pdf", views.handover_pdf, name="handover_pdf"),
    path("handovers/<int:pk>/export/<slug:platform>/", views.handover_export, name="handover_export"),
]
