"""Partnership and mentoring through the API, one module per sub-domain (schemas in
``schemas.py``); each has its own router, gathered here under ``/mentoring``."""

from ninja import Router

from sinergi.mentoring.api import matching, mentors, partners, reports, sessions

router = Router(tags=["mentoring"])
for part in (partners, mentors, matching, sessions, reports):
    router.add_router("", part.router)

__all__ = ["router"]
