from django.urls import path

from sinergi.pdp import views

app_name = "pdp"
urlpatterns = [
    path("permintaan/", views.request_list, name="request_list"),
    path("permintaan/baru/", views.request_create, name="request_create"),
    path("permintaan/<id:pk>/", views.request_detail, name="request_detail"),
    path("permintaan/<id:pk>/tutup/", views.request_close, name="request_close"),
    path("permintaan/<id:pk>/akses/", views.request_access, name="request_access"),
    path("permintaan/<id:pk>/akses.pdf", views.request_pdf, name="request_pdf"),
    path("permintaan/<id:pk>/hapus/", views.request_erase, name="request_erase"),
    path("permintaan/<id:pk>/koreksi/", views.request_correct, name="request_correct"),
    path("permintaan/<id:pk>/koreksi/putusan/", views.correction_decide, name="correction_decide"),
    path("retensi/", views.retention_page, name="retention"),
]
