"""Audit event types of accounts (core.events): users, their role and area, API tokens, and the
exports of personal data (``audit_export``)."""

from django.utils.translation import gettext_lazy as _

from sinergi.core.events import EventType, event_type

USER_CREATED = event_type("accounts.user.created", _("User created"))
USER_CHANGED = event_type("accounts.user.changed", _("User's role or area changed"))
USER_DEACTIVATED = event_type("accounts.user.deactivated", _("User deactivated"))
USER_REACTIVATED = event_type("accounts.user.reactivated", _("User reactivated"))
PASSWORD_RESET_REQUIRED = event_type(
    "accounts.user.password_reset_required", _("New password required at next sign-in")
)
PASSWORD_SET = event_type("accounts.user.password_set", _("Password set by the user"))
INVITATION_SENT = event_type("accounts.invitation.sent", _("Invitation sent"))
INVITATION_USED = event_type("accounts.invitation.used", _("Invitation used"))
USERS_IMPORTED = event_type("accounts.users.imported", _("Users imported from a file"))
TOTP_ENROLLED = event_type("accounts.2fa.enrolled", _("Second factor set up"))
TOTP_RESET = event_type("accounts.2fa.reset", _("Second factor removed"))
RECOVERY_CODES_MADE = event_type("accounts.2fa.recovery_codes", _("New recovery codes made"))
RECOVERY_CODE_USED = event_type("accounts.2fa.recovery_code_used", _("Recovery code used"))
TOKEN_CREATED = event_type("accounts.token.created", _("API token created"))
TOKEN_REVOKED = event_type("accounts.token.revoked", _("API token revoked"))
TOKENS_REVOKED = event_type(
    "accounts.tokens.revoked", _("All API tokens of a user revoked (password changed)")
)

# Exports of personal data, by what ``audit_export`` is told was exported; other apps pass
# their own declared type (monitoring.events.MEMBER_INCOME_EXPORTED).
EXPORTED: dict[str, EventType] = {
    "accounts.users": event_type("accounts.users.exported", _("Users exported")),
}
