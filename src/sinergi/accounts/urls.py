from django.urls import path

from sinergi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.signin_code, name="signin_code"),
    path("masuk/pasang-kode/", views.signin_enrol, name="signin_enrol"),
    path("masuk/sandi-baru/", views.signin_password, name="signin_password"),
    path("kode-cadangan/", views.recovery_codes, name="recovery_codes"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("sandi/lupa/", views.PasswordResetView.as_view(), name="password_reset"),
    path("sandi/lupa/terkirim/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "sandi/atur/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "sandi/atur/selesai/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("undangan/<str:token>/", views.invitation, name="invitation"),
    path("profil/", views.profile, name="profile"),
    path("profil/token/", views.token_create, name="token_create"),
    path("profil/token/<id:token_id>/cabut/", views.token_revoke, name="token_revoke"),
    path("profil/dua-langkah/", views.twofactor_setup, name="twofactor_setup"),
    path("profil/kode-cadangan/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/ekspor.csv", views.user_export, name="user_export"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/impor/", views.user_import, name="user_import"),
    path("pengguna/<id:pk>/", views.user_detail, name="user_detail"),
    path("pengguna/<id:pk>/ubah/", views.user_change, name="user_change"),
    path("pengguna/<id:pk>/nonaktifkan/", views.user_deactivate, name="user_deactivate"),
    path("pengguna/<id:pk>/aktifkan/", views.user_reactivate, name="user_reactivate"),
    path(
        "pengguna/<id:pk>/wajib-ganti-sandi/", views.user_require_reset, name="user_require_reset"
    ),
    path("pengguna/<id:pk>/undang/", views.user_invite, name="user_invite"),
    path("pengguna/<id:pk>/hapus-dua-langkah/", views.user_remove_2fa, name="user_remove_2fa"),
]
