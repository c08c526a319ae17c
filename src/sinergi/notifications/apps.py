from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "sinergi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from sinergi.core.events import subscribe
        from sinergi.notifications import rules, tasks

        # The events where work changes hands (rules.RULES) are heard once committed.
        for code in rules.RULES:
            subscribe(code, tasks.on_event)
