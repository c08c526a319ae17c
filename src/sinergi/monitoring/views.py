"""Monitoring pages: dashboards and map, group reports and classes, graduations, lines, exports."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.services import audit_export
from sinergi.core.errors import DomainError
from sinergi.core.exports import FORMATS, table_response
from sinergi.core.filters import area_param
from sinergi.core.money import parse_rupiah
from sinergi.core.numbers import ascii_id, posted_number
from sinergi.core.scoping import access
from sinergi.kube.models import Kube
from sinergi.mentoring.models import Indicator
from sinergi.mentoring.services import month_start
from sinergi.monitoring import charts, exports, geo, pdf, selectors, services
from sinergi.monitoring.models import (
    ClassResult,
    ExportJob,
    ExportStatus,
    GraduationRule,
    GroupReport,
    Metric,
    PovertyLine,
    ProposalStatus,
    ReportStatus,
    Rubric,
)
from sinergi.monitoring.poverty import COLUMNS as LINE_COLUMNS
from sinergi.monitoring.poverty import load_lines
from sinergi.monitoring.tasks import refresh_monitoring, run_export

NATION_SLUG = "ID"


def _code(slug: str) -> str:
    return "" if slug.upper() == NATION_SLUG else slug


def _slug(code: str) -> str:
    return code or NATION_SLUG


def status_labels() -> list[tuple[str, str]]:
    return [
        ("groups_draft", _("Draft")),
        ("groups_submitted", _("Submitted")),
        ("groups_verified", _("Verified")),
        ("groups_active", _("Active")),
        ("groups_graduated", _("Graduated")),
        ("groups_dissolved", _("Dissolved")),
    ]


def map_metrics() -> dict[str, str]:
    return {
        "groups_active": _("Active groups"),
        "members": _("Members"),
        "groups_mentored": _("Groups with a mentor"),
        "aid_disbursed": _("Aid disbursed (Rp)"),
        "households_graduated": _("Households graduated"),
    }


def _table(board: selectors.Dashboard) -> tuple[list[str], list[list[object]]]:
    """The dashboard's breakdown table: one row per province/regency (or group in a regency)."""
    if board.scope.level == selectors.REGENCY:
        return exports.group_header(), [exports.group_row(k) for k in board.groups]
    header = [
        _("Code"),
        _("Name"),
        _("Active groups"),
        _("Members"),
        _("Groups with a mentor"),
        _("Overdue action items"),
        _("Aid approved (Rp)"),
        _("Aid disbursed (Rp)"),
        _("Households graduated"),
        _("Tumbuh"),
        _("Berkembang"),
        _("Maju"),
    ]
    rows: list[list[object]] = [
        [
            c["code"],
            c["name"],
            c["groups_active"],
            c["members"],
            c["groups_mentored"],
            c["overdue_actions"],
            c["aid_approved"],
            c["aid_disbursed"],
            c["households_graduated"],
            c["class_tumbuh"],
            c["class_berkembang"],
            c["class_maju"],
        ]
        for c in board.children
    ]
    return header, rows


def _series_table(board: selectors.Dashboard) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Month"),
        _("Sessions"),
        _("Sales (Rp)"),
        _("Turnover reported (Rp)"),
        _("Reports"),
        _("Households graduated"),
    ]
    rows = [
        [f"{m:%Y-%m}", *(board.series[name][i] for name in selectors.SERIES)]
        for i, m in enumerate(board.months)
    ]
    return header, rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitoring.view_regencyfigures"):
        if getattr(request.user, "kube_id", None):
            return redirect("monitoring:group", pk=request.user.kube_id)  # type: ignore[union-attr]
        if request.user.has_perm("mentoring.view_session"):
            return redirect("mentoring:group_list")  # a mentor's groups, each with its page
        raise Http404(_("This page does not exist, or it is outside your area."))
    return redirect("monitoring:dashboard", code=_slug(selectors.home_code(request.user)))


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    board = selectors.dashboard(request.user, _code(code), today=today)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        if request.GET.get("tabel") == "bulan":
            header, rows = _series_table(board)
            return table_response(f"pantau-bulanan-{_slug(board.scope.code)}", header, rows, fmt)
        header, rows = _table(board)
        return table_response(f"pantau-{_slug(board.scope.code)}", header, rows, fmt)
    metric = request.GET.get("peta", "groups_active")
    metrics = map_metrics()
    if metric not in metrics:
        metric = "groups_active"
    outline = geo.outline(board.scope.province if board.scope.level != selectors.NATION else "")
    if board.scope.level == selectors.REGENCY:
        values = selectors.regency_values(board.scope.province, metric)
    else:
        values = {c["code"]: float(c[metric]) for c in board.children}
    # Figures of areas outside the user's own are not hers to see, even on a map.
    values = {k: v for k, v in values.items() if selectors.may_open(request.user, k)}
    colours, legend = geo.colour_scale(values)
    shapes = [
        {
            "code": s.code,
            "name": s.name,
            "d": s.d,
            "fill": colours.get(s.code, geo.EMPTY),
            "value": int(values.get(s.code, 0)),
            "href": reverse("monitoring:dashboard", args=[s.code])
            if selectors.may_open(request.user, s.code)
            else "",
            "current": s.code == board.scope.code,
        }
        for s in outline.shapes
    ]
    totals = board.totals
    month_labels = [f"{m:%m/%y}" for m in board.months]
    kpi_labels = dict(Indicator.choices)
    context = {
        "board": board,
        "slug": _slug(board.scope.code),
        "totals": totals,
        "status_chart": charts.bars([(label, totals[key]) for key, label in status_labels()]),
        "class_chart": charts.bars(
            [
                # The class names are the programme's own words in both languages.
                ("Tumbuh", totals["class_tumbuh"]),
                ("Berkembang", totals["class_berkembang"]),
                ("Maju", totals["class_maju"]),
                (_("Not classed yet"), board.unclassed),
            ],
            colours=("#8fb339", "#d08c2c", "#2f6f4f", "#adb5bd"),
        ),
        "aid_chart": charts.bars(
            # A national programme's ceiling is not split by region: no budget bar below it.
            ([(_("Budget"), board.budget)] if board.budget else [])
            + [
                (_("Approved"), totals["aid_approved"]),
                (_("Disbursed"), totals["aid_disbursed"]),
            ]
        ),
        "sales_chart": charts.columns(month_labels, board.series["sales"]),
        "turnover_chart": charts.columns(
            month_labels, board.series["turnover"], colour=charts.COLOURS[1]
        ),
        "sessions_chart": charts.columns(
            month_labels, board.series["sessions"], colour=charts.COLOURS[2]
        ),
        "graduation_chart": charts.columns(
            month_labels, board.series["graduations"], colour=charts.COLOURS[3]
        ),
        "series_rows": _series_table(board)[1],
        "shapes": shapes,
        "map_width": outline.width,
        "map_height": outline.height,
        "legend": legend,
        "metric": metric,
        "metrics": metrics,
        "can_refresh": request.user.has_perm("monitoring.refresh_summary"),
        "can_export_income": request.user.has_perm("monitoring.export_memberincome"),
        "metric_label": metrics[metric],
        "kpis": [
            {**k, "label": kpi_labels.get(k["indicator"], k["indicator"])} for k in board.kpis
        ],
    }
    return render(request, "monitoring/dashboard.html", context)


@login_required
def dashboard_pdf(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    board = selectors.dashboard(request.user, _code(code), today=today)
    t = board.totals
    run = board.run
    page = pdf.Page(
        _("Monitoring summary: %(name)s") % {"name": board.scope.name},
        _("Sinergi KUBE · figures as of %(when)s · printed %(today)s")
        % {
            "when": f"{timezone.localtime(run.finished_at):%Y-%m-%d %H:%M}"
            if run and run.finished_at
            else "-",
            "today": f"{today:%Y-%m-%d}",
        },
    )
    page.figures(
        [
            (_("Active groups"), pdf.money(t["groups_active"])),
            (_("Members"), pdf.money(t["members"])),
            (_("Groups with a mentor"), f"{board.coverage}%"),
            (_("Aid approved"), "Rp" + pdf.money(t["aid_approved"])),
            (_("Aid disbursed"), "Rp" + pdf.money(t["aid_disbursed"])),
            (_("Budget"), "Rp" + pdf.money(board.budget)),
            (_("Overdue action items"), str(t["overdue_actions"])),
            (_("Households graduated"), str(t["households_graduated"])),
            (_("Graduated groups"), str(t["groups_graduated"])),
        ]
    )
    page.heading(_("Active groups by class"))
    page.bars(
        [
            ("Tumbuh", t["class_tumbuh"]),
            ("Berkembang", t["class_berkembang"]),
            ("Maju", t["class_maju"]),
            (_("Not classed yet"), board.unclassed),
        ]
    )
    page.heading(_("Sales recorded per month (Rp)"))
    page.columns([pdf.month_label(m) for m in board.months], board.series["sales"])
    page.heading(_("Mentoring sessions per month"))
    page.columns([pdf.month_label(m) for m in board.months], board.series["sessions"], height=18)
    header, rows = _table(board)
    if rows:
        page.heading(_("Breakdown"))
        if board.scope.level == selectors.REGENCY:
            page.grid(header, rows, [28, 62, 36, 28, 28])
        else:
            short = [[r[1], r[2], r[3], r[4], r[7], r[8]] for r in rows]
            page.grid(
                [header[1], header[2], header[3], header[4], header[7], header[8]],
                [[c if isinstance(c, str) else pdf.money(cast(int, c)) for c in r] for r in short],
                [58, 22, 22, 26, 32, 22],
            )
    return _pdf_response(page, f"ringkasan-{_slug(board.scope.code)}.pdf")


def _pdf_response(page: pdf.Page, filename: str) -> HttpResponse:
    page.footer_note(
        _("Class rubric provisional until the official criteria are loaded. Source: Sinergi.")
    )
    response = HttpResponse(page.bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitoring.refresh_summary"):
        raise Http404
    transaction.on_commit(refresh_monitoring.enqueue)
    messages.success(
        request, _("The figures are being rebuilt; reload the page in a minute to see them.")
    )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/pantau/") else reverse("monitoring:home"))


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
        job = ExportJob.objects.create(
            requested_by=cast(Any, request.user),
            kind=kind,
            fmt=fmt,
            area_code=scope.code,
            personal_data=spec.personal,
            rows_total=count,
            language=translation.get_language() or "",
        )
        transaction.on_commit(lambda: run_export.enqueue(job.pk))
        messages.info(
            request,
            _("%(n)s rows: the file is being prepared. It appears here when it is ready.")
            % {"n": count},
        )
        return redirect("monitoring:jobs")
    exports.audit(request.user, kind, scope.code, count)
    return table_response(
        f"{kind}-{_slug(scope.code)}", spec.header(), spec.rows(request.user, scope.code), fmt
    )


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    items = ExportJob.objects.filter(requested_by=cast(Any, request.user))[:30]
    running = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in items)
    template = "monitoring/_jobs.html" if request.htmx else "monitoring/jobs.html"  # type: ignore[attr-defined]
    return render(request, template, {"jobs": items, "running": running})


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = ExportJob.objects.filter(
        pk=pk, requested_by=cast(Any, request.user), status=ExportStatus.DONE
    ).first()
    if job is None or not job.file_path:
        raise Http404(_("This export does not exist or is not ready."))
    path = exports.export_dir() / job.file_path
    if not path.exists():
        raise Http404(_("This export file has been removed; ask for it again."))
    if job.personal_data:
        exports.audit(request.user, job.kind, job.area_code, job.rows_done)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{job.kind}-{_slug(job.area_code)}.{job.fmt}",
        content_type=FORMATS[job.fmt],
    )


# --- Groups ----------------------------------------------------------------------------------


def _group(request: HttpRequest, pk: int) -> Kube:
    return access(Kube.objects, actor=request.user, permission="monitoring.view_groupreport", pk=pk)


def _explained(result: ClassResult) -> list[dict[str, Any]]:
    """A class result's indicators with their label and whether they decided or hold it back."""
    labels = dict(Metric.choices)
    why = result.explanation
    return [
        {
            **row,
            "label": labels.get(row["key"], row["key"]),
            "decided": row["key"] in why.get("decided_by", []),
            "held_back": row["key"] in why.get("held_back_by", []),
        }
        for row in why.get("indicators", [])
    ]


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
def group(request: HttpRequest, pk: int) -> HttpResponse:
    kube = _group(request, pk)
    classes = list(selectors.group_classes(request.user, kube)[:12])
    current = classes[0] if classes else None
    indicators = _explained(current) if current else []
    today = timezone.localdate()
    this_month = today.replace(day=1)
    return render(
        request,
        "monitoring/group.html",
        {
            "kube": kube,
            "current": current,
            "classes": classes,
            "indicators": indicators,
            "reports": selectors.group_reports(request.user, kube)[:24],
            "graduations": selectors.graduation_list(request.user).filter(kube=kube)[:50],
            "months": [services.add_months(this_month, -i) for i in range(6)],
            "can_file": request.user.has_perm("monitoring.add_groupreport")
            and kube.status == "active",
        },
    )


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
def group_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    kube = _group(request, pk)
    current = selectors.group_classes(request.user, kube).first()
    reports = list(selectors.group_reports(request.user, kube)[:12])
    page = pdf.Page(
        _("KUBE summary: %(name)s") % {"name": kube.name},
        f"{kube.area_code} · {kube.business_type.name} · {kube.get_status_display()} · "
        + _("printed %(today)s") % {"today": f"{timezone.localdate():%Y-%m-%d}"},
    )
    members = kube.memberships.filter(end_date__isnull=True).count()
    latest = reports[0] if reports else None
    page.figures(
        [
            (_("Class"), current.get_klass_display() if current else _("Not classed yet")),
            (_("Score"), f"{current.score}" if current else "-"),
            (_("Members"), str(members)),
            (_("Latest report"), f"{latest.period:%Y-%m}" if latest else "-"),
            (_("Turnover"), "Rp" + pdf.money(latest.turnover) if latest else "-"),
            (_("Savings"), "Rp" + pdf.money(latest.savings) if latest else "-"),
        ]
    )
    if current:
        page.heading(_("What decided the class"))
        page.grid(
            [_("Indicator"), _("Value"), _("Points"), _("Score share"), ""],
            [
                [
                    str(row["label"]),
                    "-" if row["value"] is None else pdf.money(row["value"]),
                    f"{row['points']}",
                    f"{row['contribution']} / {row['full']}",
                    _("decided") if row["decided"] else _("holds back") if row["held_back"] else "",
                ]
                for row in _explained(current)
            ],
            [70, 30, 16, 30, 36],
        )
    if reports:
        page.heading(_("Monthly reports"))
        ordered = list(reversed(reports))
        page.columns([pdf.month_label(r.period) for r in ordered], [r.turnover for r in ordered])
        page.grid(
            [_("Month"), _("Turnover"), _("Profit"), _("Savings"), _("IKS paid"), _("Status")],
            [
                [
                    f"{r.period:%Y-%m}",
                    pdf.money(r.turnover),
                    pdf.money(r.profit),
                    pdf.money(r.savings),
                    pdf.money(r.iks_paid),
                    r.get_status_display(),
                ]
                for r in reports
            ],
            [24, 32, 32, 32, 28, 34],
        )
    return _pdf_response(page, f"kube-{kube.pk}.pdf")


def _figures_from_post(request: HttpRequest) -> tuple[dict[str, Any], dict[int, int | None]]:
    figures: dict[str, Any] = {}
    for name in (*services.REPORT_FIGURES, "active_members"):
        figures[name] = posted_number(
            request.POST,
            name,
            model=GroupReport,
            rupiah=name != "active_members",
            default=0,
        )
    figures["problems"] = request.POST.get("problems", "")
    incomes: dict[int, int | None] = {}
    for key, raw in request.POST.dict().items():
        member = ascii_id(key[7:]) if key.startswith("income_") else None
        if member is not None:
            text = raw.strip()
            value = parse_rupiah(text) if text else None
            if text and value is None:
                raise DomainError(
                    _("“%(value)s” is not a whole number: write digits, e.g. 1.500.000.")
                    % {"value": text[:20]},
                    field=key,
                )
            incomes[member] = value
    return figures, incomes


@login_required
@permission_required("monitoring.view_groupreport", raise_exception=True)
def report(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    kube = _group(request, pk)
    try:
        period = month_start(month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:group", pk=pk)
    user: Any = request.user
    error, field = "", ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.dict().items() if k != "csrfmiddlewaretoken"}
        try:
            figures, incomes = _figures_from_post(request)
            saved = services.save_report(
                actor=user,
                kube_id=kube.pk,
                period=period,
                figures=figures,
                incomes=incomes,
                submit=request.POST.get("action") == "submit",
            )
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(
                request,
                _("Report submitted.")
                if saved.status == ReportStatus.SUBMITTED
                else _("Draft saved."),
            )
            return redirect("monitoring:report", pk=pk, month=f"{period:%Y-%m}")
    current = services.report_for(user, kube.pk, period)
    can_see_income = user.has_perm("monitoring.view_memberincome")
    shown: dict[int, dict[str, Any]] = {}
    if current.pk and can_see_income:
        for row in selectors.report_incomes(user, current):
            income, per_capita = services.reveal_income(row)
            shown[row.person_id] = {"row": row, "income": income, "per_capita": per_capita}
    members = [
        {
            "membership": m,
            "income": shown.get(m.person_id),
            "posted": posted.get(f"income_{m.person_id}"),
        }
        for m in services.active_members(kube)
    ]
    return render(
        request,
        "monitoring/report_form.html",
        {
            "kube": kube,
            "period": period,
            "month_text": f"{period:%Y-%m}",
            "report": current,
            "members": members,
            "posted": posted,
            "error": error,
            "field": field,
            "can_write": user.has_perm("monitoring.add_groupreport") and kube.status == "active",
            "can_see_income": can_see_income,
        },
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
            what="graduation",
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
@require_POST
def graduation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = services.decide_graduation(
            actor=request.user,
            pk=pk,
            confirm=request.POST.get("action") == "confirm",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Graduation confirmed.")
            if item.status == ProposalStatus.CONFIRMED
            else _("Proposal set aside."),
        )
    return redirect(reverse("monitoring:graduations"))


@login_required
@permission_required("monitoring.view_povertyline", raise_exception=True)
def lines(request: HttpRequest) -> HttpResponse:
    error = ""
    problems: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("monitoring.load_povertyline"):
            raise Http404
        try:
            result = load_lines(
                request.FILES.get("file"),
                actor=request.user,
                source=request.POST.get("source", "").strip()[:200] or _("Loaded from a file"),
            )
        except DomainError as exc:
            error = exc.message
            problems = exc.params.get("problems", [])
        else:
            messages.success(
                request,
                _("Lines loaded: %(added)s new, %(changed)s changed, %(same)s unchanged.")
                % {"added": result.added, "changed": result.changed, "same": result.unchanged},
            )
            return redirect("monitoring:lines")
    rows = PovertyLine.objects.all()
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
            "error": error,
            "problems": problems[:50],
            "can_load": request.user.has_perm("monitoring.load_povertyline"),
        },
    )


@login_required
@permission_required("monitoring.view_rubric", raise_exception=True)
def rubric(request: HttpRequest) -> HttpResponse:
    rubrics = Rubric.objects.prefetch_related("indicators")
    current = Rubric.on(timezone.localdate())
    labels = dict(Metric.choices)
    return render(
        request,
        "monitoring/rubric.html",
        {
            "current": current,
            "rubrics": rubrics,
            "labels": labels,
            "graduation_rule": GraduationRule.on(timezone.localdate()),
        },
    )
