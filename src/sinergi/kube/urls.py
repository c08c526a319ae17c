from django.urls import path

from sinergi.kube import views

app_name = "kube"
urlpatterns = [
    path("", views.kube_list, name="kube_list"),
    path("baru/", views.kube_create, name="kube_create"),
    path("<id:pk>/", views.kube_detail, name="kube_detail"),
    path("<id:pk>/status/", views.kube_move, name="kube_move"),
    path("<id:pk>/anggota/", views.kube_member, name="kube_member"),
]
