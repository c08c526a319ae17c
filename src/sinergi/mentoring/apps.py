from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "sinergi.mentoring"
    label = "mentoring"
    verbose_name = _("Partnership and mentoring")

    def ready(self) -> None:
        from sinergi.mentoring import signals  # noqa: F401  (connects the receivers)
