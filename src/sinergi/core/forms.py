"""Forms that lose nothing: sent once, and never written over someone else's change.

**SubmitOnce** — a double click, the browser's "resend the form?" or a retry over a bad network
must not create a second household, order or payment. Every rendered form carries a one-time
token; the first POST with it is processed; a later POST with the same token does not run the
view again but goes where the first one went, with a message. Adopt it in two lines::

    class OrderForm(SubmitOnceMixin, forms.Form):   # adds the hidden ``submit_token`` field
        ...

    @submit_once                                     # on the view that processes the form
    def order_create(request): ...

A form rendered by hand (no Django form) can carry the token with ``{% load sinergi_forms %}``
``{% submit_once_token %}`` inside its ``<form>``. The token is claimed in the same transaction
as the view's work (``core.models.FormSubmission``, unique key), so two requests racing with
the same token serialise on the database: the second waits for the first, then redirects to the
first one's result. A response that is not a redirect (the form came back with errors) releases
the token, so the corrected form — which still carries it — can be sent again.

**StaleCheck** — a form editing a record carries the record's version (``version`` if the model
has one, else ``updated_at``) and what the form showed, signed. When the record changed meanwhile
in one of the form's fields, the form is refused with a non-field error naming each field with
its old and new value (in the user's language); what the person typed stays in the form, which
now carries the new version, so saving again after a look is a deliberate overwrite. A change to
fields the form does not show is no conflict (the save does not touch them)::

    class HouseholdEditForm(StaleCheckMixin, forms.Form):
        address = forms.CharField(...)

    form = bind(HouseholdEditForm, request, record=household)  # a ModelForm: its ``instance``

By default the compared fields are the form's fields that are attributes of the record; set
``stale_fields`` (form field -> record attribute path, e.g. ``{"village": "village.code"}``) when
the names differ.

**bind** — ``form = bind(OrderForm, request, **kwargs)`` is the form filled from the POST (with
its files), unbound otherwise: a view never reads ``request.POST`` itself (tests/core/
test_layers.py). The apps' own ``bind`` helpers can become this one.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, SuspiciousOperation
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sinergi.core.models import FormSubmission

if TYPE_CHECKING:
    _FormBase = forms.Form
else:  # a mixin: the form class it is mixed into provides the Form behaviour
    _FormBase = object

SUBMIT_TOKEN_FIELD = "submit_token"  # noqa: S105  # a field name, not a secret
STALE_FIELD = "record_version"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# A token older than this is forgotten: nobody resubmits a form after a day on purpose.
_TOKEN_LIFETIME = datetime.timedelta(days=1)


# A formset binds the same way as a form (the aid report's rows).
F = TypeVar("F", bound="forms.BaseForm | forms.BaseFormSet[Any]")


def bind(form_class: Callable[..., F], request: HttpRequest, **kwargs: Any) -> F:
    """The form filled from the request on POST (even an empty POST, so it shows its errors),
    unbound (with ``initial``) otherwise: how a view gets its form without reading
    ``request.POST`` itself (tests/core/test_layers.py)."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def posted(request: HttpRequest) -> QueryDict | None:
    """The data a POST sent, None for a GET: for a view that hands one POST to one of several
    forms (which button was pressed), never picking fields out of it itself."""
    return request.POST if request.method == "POST" else None


def refused_status(*sent: Any) -> int:
    """The status of a page showing forms: 400 when one was sent and refused (its errors
    shown with what was typed), 200 for a page, and for a picker's search, which is the form
    still being filled in. Every module answers a refused form the same way."""
    for form in sent:
        if form is None or not form.is_bound or not form.errors:
            continue
        if not getattr(form, "finding", lambda: False)():
            return 400
    return 200


def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


class SubmitOnceMixin(_FormBase):
    """Adds the hidden one-time ``submit_token`` field (processed by :func:`submit_once`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[SUBMIT_TOKEN_FIELD] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=new_submit_token
        )


def _result_url(response: HttpResponse) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return str(response.get("Location", ""))
    return str(response.get("HX-Redirect", "") or response.get("HX-Location", ""))


def _go_to_earlier_result(request: HttpRequest, url: str) -> HttpResponse:
    messages.info(
        request,
        _("This form had already been sent; nothing was saved twice. Here is its result."),
    )
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def submit_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run ``view`` at most once per form token (see the module docstring).

    A POST without a token (an API client, an old page) is processed as before.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(SUBMIT_TOKEN_FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.match(token):
            return view(request, *args, **kwargs)
        user_id = getattr(request.user, "pk", None)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    FormSubmission.objects.create(token=token, user_id=user_id)
            except IntegrityError:
                # The first request with this token has committed (a racing one waited for
                # its row lock above): go where it went.
                earlier = FormSubmission.objects.filter(token=token).first()
                if earlier is None or earlier.user_id != user_id:
                    raise SuspiciousOperation("form token of another user") from None
                return _go_to_earlier_result(request, earlier.result_url or request.path)
            FormSubmission.objects.filter(created_at__lt=timezone.now() - _TOKEN_LIFETIME).delete()
            response = view(request, *args, **kwargs)
            url = _result_url(response)
            if url:
                FormSubmission.objects.filter(token=token).update(result_url=url[:500])
            else:
                # Errors shown again with the same token: the corrected form may be sent.
                FormSubmission.objects.filter(token=token).delete()
        return response

    return wrapped


# --- StaleCheck -------------------------------------------------------------------------------


def _resolve(record: Any, path: str) -> tuple[Any, Any]:
    """(owner object, value) of ``path`` ("village.code") on ``record``."""
    owner, value = None, record
    for part in path.split("."):
        owner = value
        value = getattr(value, part, None) if value is not None else None
    return owner, value


def _display(owner: Any, attr: str, value: Any) -> str:
    """The value as a person reads it: choice labels, names of related rows, local dates."""
    if isinstance(owner, models.Model):
        try:
            field: Any = owner._meta.get_field(attr)
        except FieldDoesNotExist:
            field = None
        if getattr(field, "choices", None) and value is not None:
            return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def record_version(record: Any) -> str:
    """The record's version: a ``version`` counter if it has one, else its last update time
    ("" for a record with neither: then the values shown are compared every time)."""
    version = getattr(record, "version", None)
    if version is None:
        version = getattr(record, "updated_at", None)
    if isinstance(version, datetime.datetime):
        return version.isoformat()
    return "" if version is None else str(version)


class StaleCheckMixin(_FormBase):
    """Refuse a form whose record changed meanwhile (see the module docstring)."""

    stale_fields: dict[str, str] | None = None
    _stale_salt = "sinergi.core.forms.stale"

    def __init__(self, *args: Any, record: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record if record is not None else getattr(self, "instance", None)
        self.fields[STALE_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        if self._has_record():
            self.fields[STALE_FIELD].initial = self._stamp()

    def _has_record(self) -> bool:
        return self.record is not None and getattr(self.record, "pk", None) is not None

    def _paths(self) -> dict[str, str]:
        if self.stale_fields is not None:
            return dict(self.stale_fields)
        return {
            name: name
            for name in self.fields
            if name not in (STALE_FIELD, SUBMIT_TOKEN_FIELD) and hasattr(self.record, name)
        }

    def _shown(self) -> dict[str, str]:
        out = {}
        for name, path in self._paths().items():
            owner, value = _resolve(self.record, path)
            out[name] = _display(owner, path.rsplit(".", 1)[-1], value)
        return out

    def _stamp(self) -> str:
        return signing.dumps(
            {"v": record_version(self.record), "s": self._shown()},
            salt=self._stale_salt,
            compress=True,
        )

    def stale_changes(self) -> list[tuple[str, str, str]] | None:
        """``[(label, old, new)]`` for the form's fields changed since the form was shown;
        ``[]`` when nothing it shows changed; ``None`` when the stamp is missing or forged."""
        raw = self.data.get(self.add_prefix(STALE_FIELD), "")
        try:
            stamp = signing.loads(raw, salt=self._stale_salt)
        except signing.BadSignature:
            return None
        version = record_version(self.record)
        if version and stamp.get("v") == version:
            return []
        seen, now = stamp.get("s", {}), self._shown()
        return [
            (str(self.fields[name].label or name), str(seen.get(name, "—")), value)
            for name, value in now.items()
            if name in seen and seen[name] != value
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self._has_record():
            return cleaned
        changes = self.stale_changes()
        if changes == []:
            return cleaned
        # From here the form carries the record as it is now: a second save overwrites on
        # purpose, after the person has seen what changed.
        data: Any = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
        data[self.add_prefix(STALE_FIELD)] = self._stamp()
        self.data = data
        if changes is None:
            raise forms.ValidationError(
                _(
                    "This form is out of date: the record may have changed since it was "
                    "opened. Check the values and save again."
                ),
                code="stale",
            )
        listed = "; ".join(
            _("%(field)s: “%(old)s” → “%(new)s”") % {"field": f, "old": o, "new": n}
            for f, o, n in changes
        )
        raise forms.ValidationError(
            _(
                "Someone else changed this record while you were editing it — %(changes)s. "
                "What you typed is kept below: check it against the new values and save again."
            )
            % {"changes": listed},
            code="stale",
        )


class LanguageForm(forms.Form):
    """The language switcher in the page header."""

    language = forms.CharField(max_length=10)
    next = forms.CharField(max_length=2000, required=False)

    def clean_language(self) -> str:
        from django.conf import settings

        code: str = self.cleaned_data["language"]
        if code not in dict(settings.LANGUAGES):
            raise forms.ValidationError(
                _("Unknown language “%(code)s”. Choose one of: %(choices)s.")
                % {
                    "code": code[:10],
                    "choices": ", ".join(str(name) for _c, name in settings.LANGUAGES),
                }
            )
        return code
