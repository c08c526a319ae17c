from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.core.errors import Forbidden

__all__ = ["Forbidden", "require_perm"]


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 with a JSON reason when the caller's role lacks ``perm``."""
    if not request.user.has_perm(perm):
        raise Forbidden(_("Your role does not allow this."))
