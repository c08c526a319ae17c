from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sinergi.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from sinergi.core.events import all_event_types, subscribe
        from sinergi.registry.access_log import is_export_event, log_export_event

        # An export of personal data (an audit event "<thing>.exported…", declared in any
        # app's events module) is also a read: it goes into the access log.
        autodiscover_modules("events")
        for kind in all_event_types():
            if is_export_event(kind.code):
                subscribe(kind.code, log_export_event)
