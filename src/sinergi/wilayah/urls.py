from django.urls import path

from sinergi.wilayah import views

app_name = "wilayah"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.detail, name="detail"),
]
