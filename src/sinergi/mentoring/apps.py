from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "sinergi.mentoring"
    label = "mentoring"
    verbose_name = _("Partnership and mentoring")

    def ready(self) -> None:
        from sinergi.kube import hooks
        from sinergi.mentoring import (
            services,
            signals,  # noqa: F401  (connects the receivers)
        )

        hooks.on_group_closed(services.end_for_closed_group)
