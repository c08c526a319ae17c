from django.urls import path

from sinergi.kube import views

app_name = "kube"
urlpatterns = [
    path("", views.kube_list, name="kube_list"),
    path("baru/", views.kube_create, name="kube_create"),
    path("baru/periksa/", views.kube_check, name="kube_check"),
    path("<id:pk>/", views.kube_detail, name="kube_detail"),
    path("<id:pk>/ubah/", views.kube_edit, name="kube_edit"),
    path("<id:pk>/status/", views.kube_move, name="kube_move"),
    path("<id:pk>/anggota/", views.kube_member_add, name="kube_member_add"),
    path("<id:pk>/anggota/<id:person>/keluar/", views.kube_member_end, name="kube_member_end"),
    path("<id:pk>/anggota/<id:person>/peran/", views.kube_member_role, name="kube_member_role"),
    path("<id:pk>/iks/", views.kube_iks, name="kube_iks"),
]
