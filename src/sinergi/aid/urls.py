from django.urls import path

from sinergi.aid import views

app_name = "aid"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("tahap/<id:pk>/", views.cycle_detail, name="cycle_detail"),
    path("tahap/<id:pk>/usul/", views.proposal_create, name="proposal_create"),
    path("tahap/<id:pk>/setujui/", views.cycle_approve, name="cycle_approve"),
    path("usulan/<id:pk>/rekomendasi/", views.proposal_recommend, name="proposal_recommend"),
    path("usulan/<id:pk>/tolak/", views.proposal_reject, name="proposal_reject"),
    path("usulan/<id:pk>/transfer/", views.disbursement_create, name="disbursement_create"),
    path("usulan/<id:pk>/lpj/", views.lpj_detail, name="lpj_detail"),
    path("usulan/<id:pk>/lpj/kirim/", views.lpj_submit, name="lpj_submit"),
    path("usulan/<id:pk>/lpj/terima/", views.lpj_accept, name="lpj_accept"),
    path("usulan/<id:pk>/lpj/kembalikan/", views.lpj_return, name="lpj_return"),
    path("rekonsiliasi/", views.reconcile, name="reconcile"),
]
