from django.urls import path

from sinergi.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/<str:code>/", views.dashboard, name="dashboard"),
    path("wilayah/<str:code>/ringkasan.pdf", views.dashboard_pdf, name="dashboard_pdf"),
    path("wilayah/<str:code>/ekspor/<slug:kind>.<slug:fmt>", views.export, name="export"),
    path("segarkan/", views.refresh, name="refresh"),
    path("ekspor/", views.jobs, name="jobs"),
    path("ekspor/<id:pk>/berkas", views.job_file, name="job_file"),
    path("kube/<id:pk>/", views.group, name="group"),
    path("kube/<id:pk>/ringkasan.pdf", views.group_pdf, name="group_pdf"),
    path("kube/<id:pk>/laporan/<str:month>/", views.report, name="report"),
    path("graduasi/", views.graduations, name="graduations"),
    path("graduasi/<id:pk>/putuskan/", views.graduation_decide, name="graduation_decide"),
    path("garis-kemiskinan/", views.lines, name="lines"),
    path("rubrik/", views.rubric, name="rubric"),
]
