from django.urls import path

from sinergi.registry import export_views, views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("kk/baru/", views.household_create, name="household_create"),
    path("kk/<id:pk>/", views.household_detail, name="household_detail"),
    path("kk/<id:pk>/ubah/", views.household_edit, name="household_edit"),
    path("kk/<id:pk>/anggota/baru/", views.person_create, name="person_create"),
    path("orang/<id:pk>/ubah/", views.person_edit, name="person_edit"),
    path("orang/<id:pk>/", views.person_detail, name="person_detail"),
    path("orang/<id:pk>/persetujuan/", views.consent_create, name="consent_create"),
    path("persetujuan/<id:pk>/tarik/", views.consent_withdraw, name="consent_withdraw"),
    path("kk/<id:pk>/akses/", views.household_access, name="household_access"),
    path("orang/<id:pk>/akses/", views.person_access, name="person_access"),
    path("akses-tidak-biasa/", views.unusual_access, name="unusual_access"),
    path("ungkap/<str:kind>/<id:pk>/", views.reveal, name="reveal"),
    path("ekspor/", export_views.export_form, name="export"),
    path("impor/", views.import_list, name="import_list"),
    path("impor/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("impor/<uuid:pk>/kolom/", views.import_map, name="import_map"),
    path("impor/tata-letak/", views.import_profiles, name="import_profiles"),
    path(
        "impor/tata-letak/<id:pk>/hapus/",
        views.import_profile_delete,
        name="import_profile_delete",
    ),
    path("impor/<uuid:pk>/simpan/", views.import_commit_view, name="import_commit"),
    path("impor/<uuid:pk>/lanjutkan/", views.import_resume_view, name="import_resume"),
    path("impor/<uuid:pk>/batalkan/", views.import_cancel_view, name="import_cancel"),
    path("impor/<uuid:pk>/laporan.csv", views.import_report, name="import_report"),
    path("duplikat/", views.duplicate_list, name="duplicate_list"),
    path("duplikat/<id:pk>/", views.duplicate_review, name="duplicate_review"),
    path("duplikat/<id:pk>/putuskan/", views.duplicate_decide, name="duplicate_decide"),
]
