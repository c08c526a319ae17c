from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


def _seed_roles(sender: AppConfig, **kwargs: Any) -> None:
    """After the last app's post_migrate (every app's permissions exist by then): migrate
    sends the signal once for each app, and a sync each time cost ~0.4 s, ~8 s a migrate."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is not with_models[-1]:
        return
    from sinergi.accounts.services import roles_sync

    roles_sync(reset=False)


class AccountsConfig(AppConfig):
    name = "sinergi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Permissions exist only after migrate has created them; seeding the role groups
        # there keeps every database (demo, test, production) with the same roles.
        post_migrate.connect(_seed_roles, dispatch_uid="sinergi.roles_sync")
        from sinergi.accounts import receivers
        from sinergi.accounts.models import User

        pre_save.connect(receivers.note_password_change, sender=User, dispatch_uid="sinergi.pw")
        post_save.connect(
            receivers.revoke_tokens_after_password_change, sender=User, dispatch_uid="sinergi.pw"
        )
