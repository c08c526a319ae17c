from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "sinergi.mentoring"
    label = "mentoring"
    verbose_name = _("Partnership and mentoring")

    def ready(self) -> None:
        from sinergi.kube import hooks
        from sinergi.mentoring import services

        # A group that graduates or dissolves ends its mentoring (kube calls the hook inside
        # the transition's transaction).
        hooks.on_group_closed(services.end_for_closed_group)
