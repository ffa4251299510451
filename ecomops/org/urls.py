from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("clients/", views.client_list, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/phone/", views.client_phone, name="client_phone"),
    path("clients/<int:pk>/users/new/", views.client_member_create, name="client_member_create"),
    path("stores/", views.store_list, name="stores"),
    path("stores/new/", views.store_create, name="store_create"),
    path("stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("calendar/", views.work_calendar, name="work_calendar"),
    path("calendar/day/", views.work_calendar_day, name="work_calendar_day"),
    path("calendar/load/", views.work_calendar_load, name="work_calendar_load"),
    path("attendance/", views.attendance_grid, name="attendance"),
    path("attendance/import/", views.attendance_import, name="attendance_import"),
    path("attendance/import/errors.xlsx", views.attendance_import_report, name="attendance_import_report"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/phone/", views.staff_phone, name="staff_phone"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/positions/", views.staff_positions, name="staff_positions"),
    path("staff/<int:pk>/leave/", views.staff_leave, name="staff_leave"),
    path("staff/<int:pk>/password-change/", views.staff_require_password_change,
         name="staff_require_password_change"),
    path("staff/<int:pk>/access/clients/", views.staff_grant_client, name="staff_grant_client"),
    path("staff/<int:pk>/access/stores/", views.staff_grant_store, name="staff_grant_store"),
    path(
        "staff/<int:pk>/access/clients/<int:target>/revoke/",
        views.staff_revoke_grant,
        {"kind": "client"},
        name="staff_revoke_client",
    ),
    path(
        "staff/<int:pk>/access/stores/<int:target>/revoke/",
        views.staff_revoke_grant,
        {"kind": "store"},
        name="staff_revoke_store",
    ),
]
