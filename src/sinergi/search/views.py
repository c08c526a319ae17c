"""The search pages: results grouped by kind (``/cari/?q=``), the drop-down that follows
typing (``/cari/saran/?q=``, an htmx fragment) and the search by a whole NIK or KK, which
comes in the body of a POST (``/cari/nomor/``) and is answered there, never in an address."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sinergi.core.errors import DomainError
from sinergi.core.forms import bind, refused_status
from sinergi.search import forms, providers, selectors
from sinergi.search.selectors import Results


def fill_more(results: Results) -> Results:
    """A kind whose module has no list to search sends "more" to this page, that kind alone
    (and more of it)."""
    if results.query is None:
        return results
    for group in results.groups:
        if group.more and not group.more_url:
            query = urlencode({"q": results.query.text, "kinds": group.code})
            group.more_url = f"{reverse('search:results')}?{query}"
    return results


def _number_form(actor: Any, form: forms.NumberSearchForm | None = None) -> Any:
    """The number search, for who may search by number (never partners)."""
    if not providers.number_kinds_for(actor):
        return None
    return form or forms.NumberSearchForm()


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """Everything the signed-in person may see that matches the query, grouped by kind."""
    form = forms.SearchForm(request.GET if "q" in request.GET else None, actor=request.user)
    found = None
    if form.is_bound and not form.is_valid() and form.was_number:
        # The number must not stay in this page's address (nor in the links it makes from
        # it): the person is sent on without it, to the number search, with the reason.
        messages.error(request, " ".join(str(e) for e in form.errors["q"]))
        return redirect(f"{reverse('search:results')}?{urlencode({'nomor': 1})}")
    if form.is_bound and form.is_valid():
        kinds = form.cleaned_data["kinds"]
        # One kind on its own is the "more" of the overview: as many as may be shown.
        limit = providers.MAX_PER_KIND if len(kinds) == 1 else providers.PER_KIND
        try:
            found = fill_more(
                selectors.search(
                    actor=request.user, query=form.cleaned_data["q"], kinds=kinds, limit=limit
                )
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    context = {
        "form": form,
        "results": found,
        "number_form": _number_form(request.user),
        "by_number": request.GET.get("nomor") == "1",
        "query": form.cleaned_data.get("q") if form.is_bound and form.is_valid() else None,
    }
    return render(request, "search/results.html", context, status=refused_status(form))


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The few best of each kind as the person types (the search box's drop-down)."""
    raw = request.GET.get("q", "")
    context: dict[str, Any] = {"results": None, "number": providers.looks_like_number(raw)}
    try:
        query = providers.parse(raw)
    except DomainError:
        query = None
    if query is not None:
        context["results"] = fill_more(
            selectors.search(
                actor=request.user,
                query=dataclasses.replace(query, similar=False),
                limit=providers.SUGGEST_PER_KIND,
            )
        )
        context["all_url"] = f"{reverse('search:results')}?{urlencode({'q': query.text})}"
    return render(request, "search/suggest.html", context)


@login_required
@require_POST
def number(request: HttpRequest) -> HttpResponse:
    """The persons and households a whole NIK or KK names: the number comes in the form's
    body and the answer is this page, so it never enters an address or the history."""
    selectors.require_number_search(request.user)
    form = bind(forms.NumberSearchForm, request)
    found = None
    if form.is_valid():
        try:
            found = selectors.search_number(actor=request.user, digits=form.cleaned_data["number"])
        except DomainError as exc:
            form.add_error("number", exc.message)
        else:
            form = forms.NumberSearchForm()  # the number is not written back into the page
    context = {
        "form": forms.SearchForm(actor=request.user),
        "results": found,
        "number_form": form,
        "by_number": True,
    }
    return render(request, "search/results.html", context, status=refused_status(form))
