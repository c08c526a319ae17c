from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.i18n import JavaScriptCatalog

from sinergi.config.api import api
from sinergi.core.numbers import IdConverter

# Before the includes below import the apps' URL modules, which use ``<id:pk>``.
register_converter(IdConverter, "id")

handler400 = "sinergi.core.views.bad_request"
handler403 = "sinergi.core.views.permission_denied"
handler404 = "sinergi.core.views.page_not_found"
handler500 = "sinergi.core.views.server_error"

urlpatterns = [
    path("", include("sinergi.core.urls")),
    path("akun/", include("sinergi.accounts.urls")),
    path("wilayah/", include("sinergi.wilayah.urls")),
    path("registri/", include("sinergi.registry.urls")),
    path("kube/", include("sinergi.kube.urls")),
    path("bantuan/", include("sinergi.aid.urls")),
    path("", include("sinergi.mentoring.urls")),
    path("pasar/", include("sinergi.market.urls")),
    path("pantau/", include("sinergi.monitoring.urls")),
    path("pdp/", include("sinergi.pdp.urls")),
    path("pdp/", include("sinergi.compliance.urls")),
    path("notifikasi/", include("sinergi.notifications.urls")),
    path("surat/", include("sinergi.letters.urls")),
    path("cari/", include("sinergi.search.urls")),
    # The service worker and manifest live at the root, so the worker may control every page.
    path("", include("sinergi.offline.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
