"""Who is told when work changes hands: one case per kind of party the rules find."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.aid import events as aid_events
from sinergi.aid.models import Lpj
from sinergi.core.models import AuditEvent
from sinergi.market import events as market_events
from sinergi.market.models import OrderPart
from sinergi.mentoring import events as mentoring_events
from sinergi.mentoring.models import Assignment, MatchRun
from sinergi.notifications import rules, services
from sinergi.notifications.models import Message
from tests.factories import (
    KubeFactory,
    MentorFactory,
    OrderFactory,
    ProductFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(django_capture_on_commit_callbacks: Any) -> Callable[[AuditEvent], set[str]]:
    """Fan the event out (its messages sent once the transaction commits): who was told."""

    def fan_out(event: AuditEvent) -> set[str]:
        with django_capture_on_commit_callbacks(execute=True):
            services.fan_out(event.pk)
        return {m.user.username for m in Message.objects.filter(event_id=event.pk)}

    return fan_out


def test_every_rule_listens_to_a_declared_event() -> None:
    from sinergi.core.events import registered

    assert rules.RULES
    assert [code for code in rules.RULES if registered(code) is None] == []


def test_a_submitted_lpj_goes_to_the_regencys_facilitators_but_not_its_maker(
    make_user: Callable[..., User], facilitator_bandung: User, told: Any
) -> None:
    User.objects.filter(pk=facilitator_bandung.pk).update(email="rina@dinsos.example")
    maker = make_user(Role.FACILITATOR, "32.73", username="maker")
    make_user(Role.FACILITATOR, "32.01", username="bogor")  # another regency
    proposal: Any = ProposalFactory(kube=KubeFactory(status="active"))
    lpj = Lpj.objects.create(proposal=proposal, area_code=proposal.area_code, submitted_by=maker)
    event = AuditEvent.record(
        aid_events.LPJ_SUBMITTED, actor=maker, obj=lpj, area_code=lpj.area_code
    )
    assert told(event) == {facilitator_bandung.username}
    (message,) = mail.outbox
    assert f"/usulan/{proposal.pk}/lpj/" in message.body
    assert proposal.kube.name in message.subject


def test_an_order_sent_goes_to_the_officers_of_the_groups_asked(
    make_user: Callable[..., User], told: Any
) -> None:
    asked: Any = KubeFactory(status="active")
    other: Any = KubeFactory(status="active")
    officer = make_user(
        Role.KUBE_OFFICER, "32.73", username="ketua.asked", email="ketua@kube.example"
    )
    User.objects.filter(pk=officer.pk).update(kube=asked)
    stranger = make_user(Role.KUBE_OFFICER, "32.73", username="ketua.other")
    User.objects.filter(pk=stranger.pk).update(kube=other)
    order: Any = OrderFactory()
    product: Any = ProductFactory(kube=asked)
    OrderPart.objects.create(
        order=order,
        product=product,
        kube=asked,
        quantity=10,
        price=20_000,
        transport=1_000,
    )
    event = AuditEvent.record(
        market_events.ORDER_SENT, actor=order.demand.buyer, obj=order, area_code="32.73"
    )
    assert told(event) == {"ketua.asked"}
    assert f"/pesanan/{order.pk}/" in mail.outbox[0].body


def test_mentors_offered_groups_are_told_each_of_their_own_groups_only(
    make_user: Callable[..., User], officer_bandung: User, told: Any
) -> None:
    first: Any = MentorFactory()
    second: Any = MentorFactory()
    one = make_user(Role.MENTOR, "32.73", username="mentor.one")
    User.objects.filter(pk=one.pk).update(mentor=first)
    two = make_user(Role.MENTOR, "32.73", username="mentor.two")
    User.objects.filter(pk=two.pk).update(mentor=second)
    run = MatchRun.objects.create(area_code="32.73", status="sent")
    mine: Any = KubeFactory(name="KUBE Melati")
    theirs: Any = KubeFactory(name="KUBE Anggrek")
    Assignment.objects.create(kube=mine, mentor=first, run=run, status="offered")
    Assignment.objects.create(kube=theirs, mentor=second, run=run, status="offered")
    event = AuditEvent.record(
        mentoring_events.MATCH_SENT, actor=officer_bandung, obj=run, area_code="32.73"
    )
    assert told(event) == {"mentor.one", "mentor.two"}
    by_user = {m.user.username: m.subject for m in Message.objects.all()}
    assert "KUBE Melati" in by_user["mentor.one"] and "Anggrek" not in by_user["mentor.one"]
    assert "KUBE Anggrek" in by_user["mentor.two"] and "Melati" not in by_user["mentor.two"]
