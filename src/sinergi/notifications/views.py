"""Pages: each user's notification preferences; the message log for the national admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sinergi.core.errors import DomainError
from sinergi.core.forms import bind, refused_status
from sinergi.notifications import rules, selectors, services
from sinergi.notifications.forms import MessageFilterForm, PreferenceForm


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pref = selectors.preference_of(user)
    initial = {name: getattr(pref, name) for name in services.PREFERENCE_FIELDS}
    form = bind(PreferenceForm, request, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.preference_save(
                actor=user, **{k: form.cleaned_data[k] for k in services.PREFERENCE_FIELDS}
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your notification preferences have been saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "account_phone": user.phone, "account_email": user.email},
        status=refused_status(form),
    )


@login_required
@permission_required("notifications.view_message", raise_exception=True)
def message_list(request: HttpRequest) -> HttpResponse:
    filters = MessageFilterForm(request.GET or None)
    status = channel = ""
    if filters.is_bound and filters.is_valid():
        status, channel = filters.cleaned_data["status"], filters.cleaned_data["channel"]
    rows = selectors.message_list(actor=request.user, status=status, channel=channel)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    # Each message with its kind in words (the code stays in the cell's title).
    shown = [(message, rules.kind_label(message.kind)) for message in page]
    return render(
        request,
        "notifications/message_list.html",
        {"page": page, "shown": shown, "filters": filters},
    )
