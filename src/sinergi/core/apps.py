from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sinergi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from sinergi.core import checks  # noqa: F401  # registers the key check

        # Every app's ``events`` module declares its audit event types (core.events).
        autodiscover_modules("events")
        # Every app's ``pickers`` module registers its searchable lists (core.pickers).
        autodiscover_modules("pickers")
        # Every app's ``jobs`` module declares its background job kinds (core.job_kinds).
        autodiscover_modules("jobs")
        # Every app's ``inbox`` module registers what waits for a person (core.inbox).
        autodiscover_modules("inbox")
