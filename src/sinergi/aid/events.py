"""Every kind of thing the aid services write to the audit trail, with its label."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import EventType, event_type

PROGRAMME_CREATED = event_type("aid.programme.created", _("Aid programme created"))
PROGRAMME_CHANGED = event_type("aid.programme.changed", _("Aid programme changed"))
CYCLE_CREATED = event_type("aid.cycle.created", _("Aid cycle opened"))
PROPOSAL_PROPOSED = event_type("aid.proposal.proposed", _("Group proposed for aid"))
PROPOSAL_RECOMMENDED = event_type(
    "aid.proposal.recommended", _("Aid proposal recommended by the province")
)
PROPOSAL_REJECTED = event_type("aid.proposal.rejected", _("Aid proposal rejected"))
CYCLE_APPROVED = event_type("aid.cycle.approved", _("Aid cycle approved and frozen"))
CYCLE_EXPORTED: dict[str, EventType] = {
    "approved": event_type(
        "aid.cycle.exported_approved", _("Approved list of an aid cycle downloaded")
    ),
    "disbursement": event_type(
        "aid.cycle.exported_disbursement", _("Disbursement sheet of an aid cycle downloaded")
    ),
}
DISBURSEMENT_RECORDED = event_type("aid.disbursement.recorded", _("Aid transfer recorded"))
STATEMENT_RECONCILED = event_type(
    "aid.statement.reconciled", _("Bank statement compared with the transfers")
)
LPJ_ITEM_ADDED = event_type("aid.lpj.item_added", _("Purchase added to a fund-use report"))
LPJ_ITEMS_SAVED = event_type("aid.lpj.items_saved", _("Purchases of a fund-use report changed"))
LPJ_SUBMITTED = event_type("aid.lpj.submitted", _("Fund-use report submitted"))
LPJ_ACCEPTED = event_type("aid.lpj.accepted", _("Fund-use report accepted"))
LPJ_RETURNED = event_type("aid.lpj.returned", _("Fund-use report returned for correction"))
