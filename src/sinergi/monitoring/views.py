"""Monitoring pages: dashboards and map, group reports and classes, graduations, lines, exports.

Views choose what to show and render it: reads are selectors, page assembly is
``presenters``, writes are services behind the forms of ``forms``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.services import audit_export
from sinergi.core import jobs as core_jobs
from sinergi.core.corrections import ReturnForm
from sinergi.core.errors import DomainError
from sinergi.core.exports import FORMATS, table_response
from sinergi.core.filters import area_param
from sinergi.core.forms import bind, submit_once
from sinergi.core.pagination import CappedPaginator
from sinergi.mentoring.services import month_start
from sinergi.monitoring import events, exports, presenters, selectors, services, summaries
from sinergi.monitoring.forms import (
    GraduationDecisionForm,
    GroupReportForm,
    IndicatorFormSet,
    PovertyLineUploadForm,
    RefreshForm,
    RubricForm,
    add_service_error,
    bands_text,
)
from sinergi.monitoring.models import ProposalStatus, ReportStatus
from sinergi.monitoring.poverty import COLUMNS as LINE_COLUMNS
from sinergi.monitoring.poverty import load_lines


def _code(slug: str) -> str:
    return "" if slug.upper() == presenters.NATION_SLUG else slug


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitoring.view_regencyfigures"):
        if getattr(request.user, "kube_id", None):
            return redirect("monitoring:group", pk=request.user.kube_id)  # type: ignore[union-attr]
        if request.user.has_perm("mentoring.view_session"):
            return redirect("mentoring:group_list")  # a mentor's groups, each with its page
        raise Http404(_("This page does not exist, or it is outside your area."))
    return redirect("monitoring:dashboard", code=presenters.slug(selectors.home_code(request.user)))


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    board = selectors.dashboard(request.user, _code(code), today=timezone.localdate())
    fmt = request.GET.get("format", "")
    name = presenters.slug(board.scope.code)
    if fmt in FORMATS:
        if request.GET.get("tabel") == "bulan":
            header, rows = presenters.series_table(board)
            return table_response(f"pantau-bulanan-{name}", header, rows, fmt)
        header, rows = presenters.breakdown_table(board)
        return table_response(f"pantau-{name}", header, rows, fmt)
    context = presenters.dashboard_context(
        request.user,
        board,
        request.GET.get("peta", "groups_active"),
        running=summaries.current_run(),
    )
    if board.groups is not None:
        paginator = CappedPaginator(board.groups, settings.SINERGI_PAGE_SIZE)
        context["page"] = paginator.get_page(request.GET.get("page"))
    return render(request, "monitoring/dashboard.html", context)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def dashboard_pdf(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    board = selectors.dashboard(request.user, _code(code), today=today)
    return _pdf(
        presenters.dashboard_pdf(board, today=today),
        f"ringkasan-{presenters.slug(board.scope.code)}.pdf",
    )


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitoring.refresh_summary"):
        # A role refusal, not something hidden: the dashboard it came from is theirs to see.
        raise PermissionDenied
    summaries.start_refresh(actor=request.user)
    messages.success(
        request, _("The figures are being rebuilt; reload the page in a minute to see them.")
    )
    return redirect(bind(RefreshForm, request).target(reverse("monitoring:home")))


# --- Exports ---------------------------------------------------------------------------------


@login_required
def export(request: HttpRequest, code: str, kind: str, fmt: str) -> HttpResponse:
    spec = exports.KINDS.get(kind)
    if spec is None or fmt not in FORMATS:
        raise Http404
    scope = selectors.scope_for(request.user, _code(code))
    if not request.user.has_perm(spec.permission):
        raise Http404(_("Your role does not allow this export."))
    count = spec.count(request.user, scope.code)
    if count > exports.inline_limit():
        exports.start_export(
            actor=request.user, kind=kind, fmt=fmt, area_code=scope.code, rows=count
        )
        messages.info(
            request,
            _("%(n)s rows: the file is being prepared. It appears here when it is ready.")
            % {"n": count},
        )
        return redirect("monitoring:jobs")
    exports.audit(request.user, kind, scope.code, count)
    return table_response(
        f"{kind}-{presenters.slug(scope.code)}",
        spec.header(),
        spec.rows(request.user, scope.code),
        fmt,
    )


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    items = exports.my_exports(request.user)
    running = any(j.is_open for j in items)
    template = "monitoring/_jobs.html" if request.htmx else "monitoring/jobs.html"  # type: ignore[attr-defined]
    return render(request, template, {"jobs": items, "running": running})


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    # Streamed from the storage; an export of personal data is audited again (core.jobs).
    job, handle = core_jobs.open_file(request.user, pk)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.result_name,
        content_type=FORMATS.get(job.params.get("fmt", ""), "application/octet-stream"),
    )


# --- Groups ----------------------------------------------------------------------------------


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
def group(request: HttpRequest, pk: int) -> HttpResponse:
    kube = selectors.group_get(request.user, pk)
    classes = list(selectors.group_classes(request.user, kube)[:12])
    current = classes[0] if classes else None
    this_month = timezone.localdate().replace(day=1)
    graduations = list(selectors.graduation_list(request.user).filter(kube=kube)[:50])
    return render(
        request,
        "monitoring/group.html",
        {
            "kube": kube,
            "current": current,
            "classes": classes,
            "indicators": presenters.explained(current) if current else [],
            "reports": selectors.group_reports(request.user, kube)[:24],
            "graduations": graduations,
            "graduated": sum(1 for g in graduations if g.status == ProposalStatus.CONFIRMED),
            "months": [services.add_months(this_month, -i) for i in range(6)],
            "can_file": request.user.has_perm("monitoring.add_groupreport")
            and kube.status == "active",
        },
    )


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
def group_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    kube = selectors.group_get(request.user, pk)
    content = presenters.group_pdf(
        kube,
        current=selectors.group_classes(request.user, kube).first(),
        reports=list(selectors.group_reports(request.user, kube)[:12]),
        members=selectors.member_count(kube),
        today=timezone.localdate(),
    )
    return _pdf(content, f"kube-{kube.pk}.pdf")


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
@submit_once
def report(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    kube = selectors.group_get(request.user, pk)
    try:
        period = month_start(month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:group", pk=pk)
    user: Any = request.user
    current = services.report_for(user, kube.pk, period)
    can_see_income = user.has_perm("monitoring.view_memberincome")
    shown: dict[int, dict[str, Any]] = {}
    if current.pk and can_see_income:
        for row in selectors.report_incomes(user, current):
            income, per_capita = services.reveal_income(row)
            shown[row.person_id] = {"row": row, "income": income, "per_capita": per_capita}
    active = services.active_members(kube)
    initial: dict[str, Any] = {
        name: getattr(current, name) for name in (*services.REPORT_FIGURES, "active_members")
    }
    initial["problems"] = current.problems
    initial |= {f"income_{pid}": seen["income"] for pid, seen in shown.items()}
    submitted = current.status == ReportStatus.SUBMITTED
    can_write = (
        user.has_perm("monitoring.add_groupreport") and kube.status == "active" and not submitted
    )
    can_return = submitted and user.has_perm("monitoring.return_groupreport")
    # Who filed it may not return it: the page says so instead of offering the form.
    return_refused = services.return_refusal(user, current) if can_return else ""
    can_return = can_return and not return_refused
    # One page, two forms: the report itself, and (for the social office) its return; the
    # button pressed says which one was sent, the other is shown as it was.
    fields: dict[str, Any] = {"initial": initial, "members": active, "incomes": can_see_income}
    form = bind(GroupReportForm, request, **fields)
    return_form = bind(ReturnForm, request)
    returning = return_form.is_bound and "return" in return_form.data
    if returning:
        form = GroupReportForm(**fields)
    else:
        return_form = ReturnForm()
    if returning:
        if not can_return:
            raise PermissionDenied
        if return_form.is_valid():
            try:
                services.return_report(
                    actor=user,
                    kube_id=kube.pk,
                    period=period,
                    reason=return_form.cleaned_data["reason"],
                )
            except DomainError as exc:
                add_service_error(return_form, exc)
            else:
                messages.success(request, _("Report returned to the group for correction."))
                return redirect("monitoring:report", pk=pk, month=f"{period:%Y-%m}")
    elif request.method == "POST" and form.is_valid():
        # A submitted report is refused by the service with its reason, shown on the page.
        try:
            saved = services.save_report(
                actor=user,
                kube_id=kube.pk,
                period=period,
                figures=form.figures(),
                incomes=form.incomes(),
                submit=form.submit,
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Report submitted.")
                if saved.status == ReportStatus.SUBMITTED
                else _("Draft saved."),
            )
            return redirect("monitoring:report", pk=pk, month=f"{period:%Y-%m}")
    members = [
        {"membership": m, "income": shown.get(m.person_id), "field": form.income_field(m.person_id)}
        for m in active
    ]
    return render(
        request,
        "monitoring/report_form.html",
        {
            "kube": kube,
            "period": period,
            "month_text": f"{period:%Y-%m}",
            "report": current,
            "form": form,
            "members": members,
            "can_write": can_write,
            "can_return": can_return,
            "return_refused": return_refused,
            "return_form": return_form,
            "can_see_income": can_see_income,
        },
        status=400 if form.errors or return_form.errors else 200,
    )


# --- Graduation, lines, rubric ----------------------------------------------------------------


@login_required
@permission_required("monitoring.view_graduation", raise_exception=True)
def graduations(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    if status not in ProposalStatus.values and status != "all":
        status = ProposalStatus.PROPOSED
    area = area_param(request)
    qs = selectors.graduation_list(
        request.user, status="" if status == "all" else status, area=area
    )
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        rows = [
            [
                g.person.name if g.person else "",
                g.household.kk_mask,
                g.kube.name,
                g.area_code,
                ", ".join(g.months),
                g.get_status_display(),
                str(g.decided_by or ""),
                f"{g.decided_at:%Y-%m-%d}" if g.decided_at else "",
                g.reason,
            ]
            for g in qs
        ]
        # Names of households: personal data, so the export is on the audit trail.
        audit_export(
            actor=request.user,
            what=events.GRADUATIONS_EXPORTED,
            rows=len(rows),
            area_code=area or (getattr(request.user, "area_code", None) or ""),
        )
        header = [
            _("Member"),
            _("KK number"),
            _("KUBE"),
            _("Area code"),
            _("Months above the line"),
            _("Status"),
            _("Decided by"),
            _("Decided on"),
            _("Reason"),
        ]
        return table_response("graduasi", header, rows, fmt)
    page = Paginator(qs, settings.SINERGI_PAGE_SIZE).get_page(request.GET.get("page"))
    evidence = selectors.graduation_evidence(request.user, list(page))
    for item in page:
        item.evidence = evidence.get(item.pk, [])
    return render(
        request,
        "monitoring/graduations.html",
        {
            "page": page,
            "status": status,
            "statuses": ProposalStatus.choices,
            "area": area,
            "can_decide": request.user.has_perm("monitoring.decide_graduation"),
        },
    )


@login_required
@permission_required("monitoring.decide_graduation", raise_exception=True)
@submit_once
def graduation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal with its evidence and what confirming does, and the decision form."""
    item = selectors.graduation_get(request.user, pk)
    form = bind(GraduationDecisionForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.decide_graduation(
                actor=request.user,
                pk=pk,
                confirm=form.confirm,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Graduation confirmed.")
                if decided.status == ProposalStatus.CONFIRMED
                else _("Proposal set aside."),
            )
            return redirect(reverse("monitoring:graduations"))
    item.evidence = selectors.graduation_evidence(request.user, [item]).get(item.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/graduation_decide.html",
        {
            "item": item,
            "form": form,
            "memberships": selectors.household_memberships(item),
            "open": item.status == ProposalStatus.PROPOSED,
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("monitoring.view_povertyline", raise_exception=True)
@submit_once
def lines(request: HttpRequest) -> HttpResponse:
    can_load = request.user.has_perm("monitoring.load_povertyline")
    form = bind(PovertyLineUploadForm, request)
    problems: list[str] = []
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied  # the role reads the lines; loading them is not its step
        if form.is_valid():
            try:
                result = load_lines(
                    form.cleaned_data["file"],
                    actor=request.user,
                    source=form.cleaned_data["source"].strip() or _("Loaded from a file"),
                )
            except DomainError as exc:
                problems = exc.params.get("problems", [])
                if not problems:
                    add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Lines loaded: %(added)s new, %(changed)s changed, %(same)s unchanged.")
                    % {"added": result.added, "changed": result.changed, "same": result.unchanged},
                )
                return redirect("monitoring:lines")
    rows = selectors.poverty_lines()
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        # The same columns the loader reads: export, edit, load back.
        return table_response(
            "garis-kemiskinan",
            [*LINE_COLUMNS, "source"],
            (
                [r.province_code or "ID", r.year, r.semester, r.area_type, r.amount, r.source]
                for r in rows
            ),
            fmt,
        )
    names = selectors.region_names(sorted({r.province_code for r in rows if r.province_code}))
    return render(
        request,
        "monitoring/lines.html",
        {
            "rows": [(r, names.get(r.province_code, "")) for r in rows],
            "form": form,
            "problems": problems[:50],
            "can_load": can_load,
        },
        status=400 if form.errors or problems else 200,
    )


def _rubric_initial(current: Any, today: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A new rubric starts as a copy of the one in force, valid from next month."""
    start = services.add_months(today.replace(day=1), 1)
    if current is None:
        return {"valid_from": start, "window_months": 6}, []
    head = {name: getattr(current, name) for name in services.RUBRIC_FIELDS}
    rows = [
        {"metric": i.metric, "weight": i.weight, "bands": bands_text(i.bands)}
        for i in current.indicators.all()
    ]
    return {**head, "valid_from": start, "provisional": False}, rows


@login_required
@permission_required("monitoring.view_rubric", raise_exception=True)
@submit_once
def rubric(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = selectors.rubric_on(today)
    can_write = request.user.has_perm("monitoring.add_rubric")
    head, rows = _rubric_initial(current, today)
    form = bind(RubricForm, request, initial=head)
    indicators = bind(IndicatorFormSet, request, initial=rows, prefix="ind")
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied  # the role reads the rubric; changing it is not its step
        if form.is_valid() and indicators.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "submit_token"}
            try:
                services.rubric_save(
                    actor=request.user,
                    indicators=[f.cleaned_data for f in indicators if f.cleaned_data],
                    **data,
                )
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Rubric saved."))
                return redirect("monitoring:rubric")
    return render(
        request,
        "monitoring/rubric.html",
        {
            "current": current,
            "rubrics": selectors.rubrics(),
            "graduation_rule": selectors.graduation_rule_on(today),
            "form": form,
            "indicators": indicators,
            "can_write": can_write,
        },
        status=400 if form.errors or any(indicators.errors) else 200,
    )
