"""The real URLs plus one view that crashes, to see what a person gets on a server error."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from sinergi.config.urls import handler400, handler403, handler404, handler500, urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("NIK 3273014107900001 must never reach the page")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
