from django.urls import path

from sinergi.aid import views

app_name = "aid"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("tahap/<id:pk>/", views.cycle_detail, name="cycle_detail"),
    path("tahap/<id:pk>/aksi/", views.cycle_action, name="cycle_action"),
    path("rekonsiliasi/", views.reconcile, name="reconcile"),
    path("usulan/<id:pk>/lpj/", views.lpj_detail, name="lpj_detail"),
]
