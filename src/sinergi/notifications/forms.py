"""Forms of the notification pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sinergi.notifications.models import Channel, MessageStatus


class PreferenceForm(forms.Form):
    """Saving twice saves the same thing: no one-time token needed. The rules (a phone for
    WhatsApp/SMS, both ends of the quiet hours) are the service's, shared with the API."""

    email_on = forms.BooleanField(label=_("Tell me by e-mail"), required=False)
    sms_on = forms.BooleanField(label=_("Tell me by WhatsApp/SMS"), required=False)
    phone = forms.CharField(
        label=_("Phone for messages"),
        max_length=20,
        required=False,
        help_text=_("Empty: the phone on your account."),
    )
    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Messages due in quiet hours are sent when they end, not dropped."),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    digest_on = forms.BooleanField(label=_("A daily digest of what waits for me"), required=False)


class MessageFilterForm(forms.Form):
    # The list shows the boxes without their labels: each names itself (aria-label).
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *MessageStatus.choices],
        widget=forms.Select(attrs={"aria-label": _("Status")}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
        widget=forms.Select(attrs={"aria-label": _("Channel")}),
    )
