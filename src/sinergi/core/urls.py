from django.urls import path

from sinergi.core import inbox_views, job_views, pickers, views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tugas/", inbox_views.inbox_page, name="inbox"),
    path("audit/", views.audit_list, name="audit_list"),
    path("bahasa/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("pekerjaan/<int:pk>/", job_views.job, name="job"),
    path("pekerjaan/<int:pk>/berkas", job_views.job_file, name="job_file"),
    path("pilih/<slug:kind>/", pickers.options, name="picker"),
]
