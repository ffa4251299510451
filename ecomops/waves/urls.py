from django.urls import path

from . import views

app_name = "waves"
urlpatterns = [
    path("", views.wave_list, name="list"),
    path("create/", views.wave_create, name="create"),
    path("<int:pk>/", views.wave_detail, name="detail"),
    path("<int:pk>/scan/", views.wave_scan, name="scan"),
    path("<int:pk>/short/", views.wave_short, name="short"),
    path("<int:pk>/sort/", views.wave_sort, name="sort"),
    path("<int:pk>/finish/", views.wave_finish, name="finish"),
    path("<int:pk>/cancel/", views.wave_cancel, name="cancel"),
    path("<int:pk>/pick-list.pdf", views.wave_pdf, name="pdf"),
]
