"""Four eyes (maker-checker): who took one step of a decision may not take the next.

One rule for every decision that moves money or status. The service that takes step B looks up
who took step A (from its own records: a transition row, an approval row) and calls
:func:`require_different` inside its transaction, before changing anything::

    from sinergi.core.four_eyes import require_different

    submitter = kube.transitions.filter(to_status="submitted").last().actor
    require_different(
        actor, submitter,
        message=_("You submitted this group; another officer must verify it."),
    )

Pages and the API ask :func:`refusal` first to hide or disable the button with the same reason
(the service still checks: a page can be stale). Adopting it elsewhere (aid: who proposed a
cycle may not approve it, who approved may not pay): fetch the earlier step's actor from the
row that records it and call ``require_different`` with a sentence naming both steps; the API
then answers 403 with ``code: "forbidden"`` because :class:`~sinergi.core.errors.Forbidden` is
what it raises.
"""

from __future__ import annotations

from typing import Any

from sinergi.core.errors import Forbidden


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False  # an earlier step by a deleted account (or by the system) binds no one
    return bool(getattr(a, "pk", a) == getattr(b, "pk", b))


def refusal(actor: Any, *earlier_actors: Any, message: str) -> str:
    """``message`` when ``actor`` took one of the earlier steps, else an empty string."""
    return message if any(_same(actor, e) for e in earlier_actors) else ""


def require_different(actor: Any, *earlier_actors: Any, message: str) -> None:
    """Raise :class:`Forbidden` with ``message`` (the user's language, naming the step done
    and the step refused) when ``actor`` is one of ``earlier_actors`` (users or their ids)."""
    reason = refusal(actor, *earlier_actors, message=message)
    if reason:
        raise Forbidden(reason, field="actor")
