"""``{% letters_section what record %}``: a record page's "Letters" section (its letters, and
the button to issue one where the step is done), included by the KUBE, aid cycle, mentoring
group and graduation pages with one line."""

from __future__ import annotations

from typing import Any

from django import template

from sinergi.core.scoping import user_area
from sinergi.letters import selectors
from sinergi.letters.models import Kind

register = template.Library()

_FORMED = ("active", "graduated")


@register.inclusion_tag("letters/_section.html", takes_context=True)
def letters_section(context: Any, what: str, record: Any) -> dict[str, Any]:
    request = context.get("request")
    actor = getattr(request, "user", None)
    if actor is None or record is None or not selectors.may_view(actor):
        return {"show": False}
    may_issue = actor.has_perm("letters.add_letter")
    letters: list[Any] = []
    buttons: list[dict[str, Any]] = []  # kind, object_id, label, direct (post) or via the form

    def button(kind: str, object_id: int, label: str = "", *, direct: bool = True) -> None:
        if may_issue:
            buttons.append({"kind": kind, "object_id": object_id, "label": label, "direct": direct})

    if what == "kube":
        letters = selectors.letters_of_group(actor=actor, kube_id=record.pk)
        if record.status in _FORMED and not any(
            letter.kind == Kind.KUBE_DECREE and letter.status == "issued" for letter in letters
        ):
            button(Kind.KUBE_DECREE, record.pk)
    elif what == "cycle":
        paid = selectors.disbursements_of_cycle(actor=actor, cycle_id=record.pk)
        letters = selectors.letters_of(
            actor=actor,
            kinds=[Kind.PROPOSAL_PROVINCE, Kind.PROPOSAL_CENTRE],
            object_ids=[record.pk],
        ) + selectors.letters_of(
            actor=actor, kinds=[Kind.HANDOVER], object_ids=[d.pk for d in paid]
        )
        area = user_area(actor)
        if area is None:
            button(Kind.PROPOSAL_PROVINCE, record.pk, direct=False)
            button(Kind.PROPOSAL_CENTRE, record.pk, direct=False)
        elif "." in area:
            button(Kind.PROPOSAL_PROVINCE, record.pk)
        else:
            button(Kind.PROPOSAL_CENTRE, record.pk)
        done = {letter.object_id for letter in letters if letter.kind == Kind.HANDOVER}
        for d in paid:
            if d.pk not in done:
                button(Kind.HANDOVER, d.pk, f"{d.proposal.kube.name} · {d.reference}")
    elif what == "assignment":
        letters = selectors.letters_of(actor=actor, kinds=[Kind.MENTORING], object_ids=[record.pk])
        if record.status in ("accepted", "ended") and not letters:
            button(Kind.MENTORING, record.pk)
    elif what == "graduation":
        letters = selectors.letters_of(actor=actor, kinds=[Kind.GRADUATION], object_ids=[record.pk])
        if record.status == "confirmed" and not letters:
            button(Kind.GRADUATION, record.pk)
    labels = dict(Kind.choices)
    for b in buttons:
        b["kind_label"] = labels[b["kind"]]
    return {"show": True, "letters": letters, "buttons": buttons, "request": request}
