from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/pause/", views.job_pause, name="pause"),
    path("<int:pk>/resume/", views.job_resume, name="resume"),
    path("<int:pk>/run/", views.job_run_now, name="run_now"),
    path("<int:pk>/schedule/", views.job_schedule, name="schedule"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]
