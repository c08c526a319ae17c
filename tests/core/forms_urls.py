"""The real URLs plus small views built on core.forms, as an app would write them."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.urls import path

from sinergi.config.urls import handler400, handler403, handler404, handler500, urlpatterns
from sinergi.core.events import event_type
from sinergi.core.forms import StaleCheckMixin, SubmitOnceMixin, submit_once
from sinergi.core.models import AuditEvent
from sinergi.mentoring.models import Organisation

NOTE_WRITTEN = event_type("tests.note.written", "Note written (test)")

PAGE = engines["django"].from_string(
    "{% load sinergi_forms %}<form method='post'>{% include 'partials/form_fields.html' %}"
    "{% if by_hand %}{% submit_once_token %}{% endif %}</form>"
)


class NoteForm(SubmitOnceMixin, forms.Form):
    text = forms.CharField(max_length=100)


class OrganisationForm(StaleCheckMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "active"]


def _note(request: HttpRequest) -> HttpResponse:
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = AuditEvent.record(
            NOTE_WRITTEN, actor=request.user, reason=form.cleaned_data["text"]
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"/t/notes/{event.pk}/"
            return response
        return redirect(f"/t/notes/{event.pk}/")
    return HttpResponse(PAGE.render({"form": form, "by_hand": "by_hand" in request.GET}, request))


note_create = login_required(submit_once(_note))
note_create_unprotected = login_required(_note)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(f"/t/organisations/{pk}/")
    return HttpResponse(PAGE.render({"form": form}, request))


urlpatterns = [
    path("t/notes/new/", note_create),
    path("t/notes/new-unprotected/", note_create_unprotected),
    path("t/organisations/<int:pk>/", organisation_edit),
    *urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
