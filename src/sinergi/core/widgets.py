"""The picker field: choose a region, village, person, group… by name, never by typing a code.

``PickerField("village")`` in a form that mixes in :class:`PickerFormMixin` (which takes the
``actor``) renders

- a plain ``<select>`` when the actor's whole list is short (no search needed);
- otherwise a search box with a "Find" button and the matches as radio buttons (name, code as
  secondary text). With htmx the matches follow the typing (``/pilih/<kind>/``); without
  JavaScript "Find" sends the form back, which is shown again with the matches and everything
  typed elsewhere kept: the form is not saved on a "Find", and only the picker says why.

The value is checked against the kind's search for that actor, so a value typed into the page
by hand, or outside the actor's area, is refused next to the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sinergi.core import pickers
from sinergi.core.numbers import ascii_id


class DateInput(forms.DateInput):
    """The browser's date box: it sends and expects ISO dates whatever the page's language
    (Django's default would render the locale's format, which the box shows as empty)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# The submit button a picker's "Find" is: its value names the field being searched.
FIND = "_pick"


class PickerWidget(forms.Widget):
    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.actor: Any = None
        self.params: dict[str, str] = {}
        self.q = ""
        self.finding = False

    def id_for_label(self, id_: str) -> str:
        # The field's label names what a person types or chooses in: the search box, or the
        # <select> of a short list (both carry this id).
        return f"{id_}-q" if id_ else id_

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        self.q = " ".join(str(data.get(f"{name}__q", "")).split())[:100]
        self.finding = data.get(FIND) == name
        return data.get(name) or None

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and f"{name}__q" not in data

    def matches(self) -> list[pickers.Option]:
        return pickers.search(self.kind, self.actor, self.q, params=self.params)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        field_id = attrs.get("id") or f"id_{name}"
        value = "" if value is None else str(value)
        kind = pickers.get(self.kind)
        chosen = kind.find(self.actor, value, **self.params) if value else None
        small: list[pickers.Option] | None = None
        if not self.q:
            first = pickers.search(
                self.kind, self.actor, "", limit=pickers.SMALL + 1, params=self.params
            )
            if len(first) <= pickers.SMALL:
                small = first
        context = {
            "name": name,
            "id": field_id,
            "value": value,
            "chosen": chosen,
            "small": small,
            "q": self.q,
            # A value already chosen (a form shown again after a refusal) stands alone until
            # the person searches for another: no list of the area's first options under it.
            "options": []
            if small is not None or (chosen is not None and not self.q)
            else [o for o in self.matches() if chosen is None or o.value != chosen.value],
            "limit": pickers.LIMIT,
            "find": FIND,
            "url": reverse("core:picker", args=[self.kind]),
            "vals": json.dumps({"name": name, **self.params}),
            "required": self.is_required,
            "describedby": attrs.get("aria-describedby", ""),
        }
        return SafeString(render_to_string("partials/picker_widget.html", context))


class PickerField(forms.Field):
    """A choice among the options a registered picker kind gives the form's actor.

    ``coerce`` turns the chosen value into what the form hands on (``int`` for ids); the
    default keeps the string (region codes)."""

    widget = PickerWidget

    def __init__(
        self,
        kind: str,
        *,
        params: dict[str, str] | None = None,
        coerce: Callable[[str], Any] = str,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", PickerWidget(kind))
        super().__init__(**kwargs)
        self.kind = kind
        self.coerce = coerce
        self.widget.params = dict(params or {})

    @property
    def picker(self) -> PickerWidget:
        assert isinstance(self.widget, PickerWidget)
        return self.widget

    def set_params(self, **params: str) -> None:
        """Narrow the list (e.g. ``within=32.73.01``) for this form instance."""
        self.picker.params = {k: v for k, v in params.items() if v}

    def clean(self, value: Any) -> Any:
        widget = self.picker
        if widget.finding:
            # A "Find" is not a save: say what was found, next to the field.
            found = len(widget.matches())
            if not found:
                raise forms.ValidationError(
                    _("Nothing matches “%(q)s”.") % {"q": widget.q}, code="find"
                )
            if found == 1:
                raise forms.ValidationError(_("One match: choose it below."), code="find")
            raise forms.ValidationError(
                _("%(n)s matches: choose one below.") % {"n": found}, code="find"
            )
        value = super().clean(value)
        if value in (None, ""):
            return None
        if self.coerce is int and ascii_id(str(value)) is None:
            # Not an id any row can have (beyond int8, other digits): refused before any
            # query, which would otherwise overflow the database integer.
            raise forms.ValidationError(_("Choose from the list."), code="invalid_choice")
        option = pickers.get(self.kind).find(widget.actor, str(value), **widget.params)
        if option is None:
            raise forms.ValidationError(_("Choose from the list."), code="invalid_choice")
        if option.disabled:
            raise forms.ValidationError(option.disabled, code="disabled_choice")
        return self.coerce(option.value)


class PickerFormMixin:
    """Gives the picker fields their actor; on a picker's "Find" the form is shown again with
    its matches and no other field's error (nothing was meant to be saved yet)."""

    fields: dict[str, forms.Field]
    _errors: ErrorDict | None

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, PickerField):
                field.picker.actor = actor

    def finding(self) -> bool:
        return any(isinstance(f, PickerField) and f.picker.finding for f in self.fields.values())

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]  # a mixin for forms.Form
        if self._errors is not None and self.finding():
            kept = ErrorDict()
            for name, field in self.fields.items():
                if isinstance(field, PickerField) and field.picker.finding and name in self._errors:
                    kept[name] = self._errors[name]
            self._errors = kept
