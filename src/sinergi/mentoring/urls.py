from django.urls import path

from sinergi.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("pendampingan/", views.group_list, name="group_list"),
    path("pendampingan/kelompok/<int:pk>/", views.group_detail, name="group_detail"),
    path("pendampingan/kelompok/<int:pk>/sesi/baru/", views.session_create, name="session_create"),
    path("pendampingan/kelompok/<int:pk>/laporan/<str:month>/", views.report_form, name="report"),
    path(
        "pendampingan/sesi/<int:pk>/foto/<int:photo_pk>/",
        views.session_photo,
        name="session_photo",
    ),
    path("pendampingan/tawaran/<int:pk>/", views.offer_respond, name="offer_respond"),
    path("pendampingan/penugasan/<int:pk>/akhiri/", views.assignment_end, name="assignment_end"),
    path("pendampingan/tindak-lanjut/<int:pk>/", views.item_update, name="item_update"),
    path("pendampingan/mentor/", views.mentor_list, name="mentor_list"),
    path("pendampingan/mentor/baru/", views.mentor_form, name="mentor_create"),
    path("pendampingan/mentor/<int:pk>/", views.mentor_form, name="mentor_edit"),
    path("pendampingan/pencocokan/", views.match_index, name="match"),
    path("pendampingan/pencocokan/<int:pk>/", views.run_detail, name="run_detail"),
    path("mitra/", views.partner_list, name="partner_list"),
    path("mitra/perjanjian/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path(
        "mitra/perjanjian/<int:pk>/dokumen/",
        views.agreement_document,
        name="agreement_document",
    ),
]
