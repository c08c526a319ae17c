from django.urls import path

from sinergi.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("pendampingan/", views.group_list, name="group_list"),
    path("pendampingan/kelompok/<id:pk>/", views.group_detail, name="group_detail"),
    path("pendampingan/kelompok/<id:pk>/sesi/baru/", views.session_create, name="session_create"),
    path("pendampingan/kelompok/<id:pk>/laporan/<str:month>/", views.report_form, name="report"),
    path(
        "pendampingan/sesi/<id:pk>/foto/<id:photo_pk>/",
        views.session_photo,
        name="session_photo",
    ),
    path("pendampingan/tawaran/<id:pk>/", views.offer_respond, name="offer_respond"),
    path("pendampingan/penugasan/<id:pk>/akhiri/", views.assignment_end, name="assignment_end"),
    path("pendampingan/tindak-lanjut/<id:pk>/", views.item_update, name="item_update"),
    path("pendampingan/mentor/", views.mentor_list, name="mentor_list"),
    path("pendampingan/mentor/baru/", views.mentor_form, name="mentor_create"),
    path("pendampingan/mentor/<id:pk>/", views.mentor_form, name="mentor_edit"),
    path("pendampingan/pencocokan/", views.match_index, name="match"),
    path("pendampingan/pencocokan/<id:pk>/", views.run_detail, name="run_detail"),
    path("mitra/", views.partner_list, name="partner_list"),
    path("mitra/unit/baru/", views.unit_form, name="unit_create"),
    path("mitra/unit/<id:pk>/", views.unit_form, name="unit_edit"),
    path("mitra/perjanjian/baru/", views.agreement_form, name="agreement_create"),
    path("mitra/perjanjian/<id:pk>/", views.agreement_detail, name="agreement_detail"),
    path("mitra/perjanjian/<id:pk>/ubah/", views.agreement_form, name="agreement_edit"),
    path(
        "mitra/perjanjian/<id:pk>/dokumen/",
        views.agreement_document,
        name="agreement_document",
    ),
]
