from django.urls import path

from sinergi.offline import views

app_name = "offline"
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("luring/", views.offline_page, name="offline"),
    path("luring/antrian/", views.queue_page, name="queue"),
]
