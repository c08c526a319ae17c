from django.urls import path

from sinergi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("pesan/", views.message_list, name="message_list"),
]
