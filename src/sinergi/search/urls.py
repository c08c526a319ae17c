from django.urls import path

from sinergi.search import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
    path("saran/", views.suggest, name="suggest"),
    path("nomor/", views.number, name="number"),
]
