from django.urls import path

from sinergi.kube import views

app_name = "kube"
urlpatterns = [
    path("", views.kube_list, name="kube_list"),
    path("baru/", views.kube_create, name="kube_create"),
    path("<int:pk>/", views.kube_detail, name="kube_detail"),
    path("<int:pk>/status/", views.kube_move, name="kube_move"),
    path("<int:pk>/anggota/", views.kube_member, name="kube_member"),
]
