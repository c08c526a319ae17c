from django.urls import path

from sinergi.compliance import views

app_name = "compliance"
urlpatterns = [
    path("insiden/", views.incident_list, name="incident_list"),
    path("insiden/baru/", views.incident_create, name="incident_create"),
    path("insiden/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("insiden/<int:pk>/ubah/", views.incident_edit, name="incident_edit"),
    path("insiden/<int:pk>/surat/<slug:recipient>/", views.incident_letter, name="incident_letter"),
    path("pemrosesan/", views.processing_register, name="register"),
    path("dpia/", views.dpia, name="dpia"),
]
