from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "sinergi.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's ``search`` module registers what the search box finds in it
        # (sinergi.search.providers), so this app names no domain app.
        autodiscover_modules("search")
