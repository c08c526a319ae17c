"""What a monitoring page or PDF shows, assembled from selectors: figures, charts, map, tables.

Views only choose and render; this module turns a ``selectors.Dashboard`` (or a group's rows)
into the words, numbers and chart data a person reads, the same for the page, the PDF and the
exports, so a figure cannot read one way on screen and another on paper.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.numbers import format_number
from sinergi.kube.models import Kube, KubeClass
from sinergi.mentoring.models import Indicator
from sinergi.monitoring import charts, exports, geo, pdf, selectors
from sinergi.monitoring.models import ClassResult, GroupReport, Metric

NATION_SLUG = "ID"


def slug(code: str) -> str:
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


def class_items(board: selectors.Dashboard) -> list[tuple[str, float]]:
    """Active groups per class, with the class names in the reader's language."""
    t = board.totals
    return [
        (str(KubeClass.TUMBUH.label), t["class_tumbuh"]),
        (str(KubeClass.BERKEMBANG.label), t["class_berkembang"]),
        (str(KubeClass.MAJU.label), t["class_maju"]),
        (_("Not classed yet"), board.unclassed),
    ]


CLASS_COLOURS = ("#5f7f1f", "#b86e12", "#2f6f4f", "#6c757d")


def breakdown_table(board: selectors.Dashboard) -> tuple[list[str], list[list[object]]]:
    """The dashboard's breakdown table: one row per province/regency (or group in a regency)."""
    if board.scope.level == selectors.REGENCY:
        groups = board.groups.iterator(chunk_size=2000)
        return exports.group_header(), [exports.group_row(k) for k in groups]
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
        str(KubeClass.TUMBUH.label),
        str(KubeClass.BERKEMBANG.label),
        str(KubeClass.MAJU.label),
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


def series_table(board: selectors.Dashboard) -> tuple[list[str], list[list[object]]]:
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


def month_label(day: date) -> str:
    return f"{day:%m/%y}"


def map_data(actor: Any, board: selectors.Dashboard, metric: str) -> dict[str, Any]:
    """The map of the dashboard: its regions coloured by ``metric`` with the legend; a region
    links to its dashboard when the actor may open it."""
    outline = geo.outline(board.scope.province if board.scope.level != selectors.NATION else "")
    values = selectors.map_values(actor, board, metric)
    colours, legend = geo.colour_scale(values)
    shapes = [
        {
            "code": s.code,
            "name": s.name,
            "d": s.d,
            "fill": colours.get(s.code, geo.EMPTY),
            "value": format_number(values[s.code]) if s.code in values else "—",
            "href": reverse("monitoring:dashboard", args=[s.code])
            if selectors.may_open(actor, s.code)
            else "",
            "current": s.code == board.scope.code,
        }
        for s in outline.shapes
    ]
    return {
        "shapes": shapes,
        "map_width": outline.width,
        "map_height": outline.height,
        "legend": legend,
        "empty_colour": geo.EMPTY,
    }


def freshness(board: selectors.Dashboard, running: Any) -> dict[str, Any]:
    """When the figures were built, and whether a rebuild is under way right now."""
    built = board.run.finished_at if board.run else None
    return {
        "built_at": built,
        "rebuilding": bool(running is not None and running.is_open),
        "refresh_job": running,
    }


def dashboard_context(
    actor: Any, board: selectors.Dashboard, metric: str, *, running: Any = None
) -> dict[str, Any]:
    metrics = map_metrics()
    if metric not in metrics:
        metric = "groups_active"
    totals = board.totals
    months = [month_label(m) for m in board.months]
    kpi_labels = dict(Indicator.choices)
    return {
        "board": board,
        "slug": slug(board.scope.code),
        "totals": totals,
        "status_chart": charts.bars([(label, totals[key]) for key, label in status_labels()]),
        "class_chart": charts.bars(class_items(board), colours=CLASS_COLOURS),
        "aid_chart": charts.bars(
            # A national programme's ceiling is not split by region: no budget bar below it.
            ([(_("Budget"), board.budget)] if board.budget else [])
            + [
                (_("Approved"), totals["aid_approved"]),
                (_("Disbursed"), totals["aid_disbursed"]),
            ]
        ),
        "sales_chart": charts.columns(months, board.series["sales"]),
        "turnover_chart": charts.columns(
            months, board.series["turnover"], colour=charts.COLOURS[1]
        ),
        "sessions_chart": charts.columns(
            months, board.series["sessions"], colour=charts.COLOURS[2]
        ),
        "graduation_chart": charts.columns(
            months, board.series["graduations"], colour=charts.COLOURS[3]
        ),
        "series_rows": series_table(board)[1],
        **map_data(actor, board, metric),
        **freshness(board, running),
        "metric": metric,
        "metrics": metrics,
        "metric_label": metrics[metric],
        "can_refresh": actor.has_perm("monitoring.refresh_summary"),
        "can_export_income": actor.has_perm("monitoring.export_memberincome"),
        "kpis": [
            {**k, "label": kpi_labels.get(k["indicator"], k["indicator"])} for k in board.kpis
        ],
    }


# --- PDF ---------------------------------------------------------------------------------------


def _finish(page: pdf.Page) -> bytes:
    page.footer_note(
        _("Class rubric provisional until the official criteria are loaded. Source: Sinergi.")
    )
    return page.bytes()


def dashboard_pdf(board: selectors.Dashboard, *, today: date) -> bytes:
    t = board.totals
    built = board.run.finished_at if board.run else None
    page = pdf.Page(
        _("Monitoring summary: %(name)s") % {"name": board.scope.name},
        _("Sinergi KUBE · figures as of %(when)s · printed %(today)s")
        % {
            "when": f"{timezone.localtime(built):%Y-%m-%d %H:%M}" if built else "-",
            "today": f"{today:%Y-%m-%d}",
        },
    )
    num = format_number
    page.figures(
        [
            (_("Active groups"), num(t["groups_active"])),
            (_("Members"), num(t["members"])),
            (_("Groups with a mentor"), f"{board.coverage}%"),
            (_("Aid approved"), "Rp" + num(t["aid_approved"])),
            (_("Aid disbursed"), "Rp" + num(t["aid_disbursed"])),
            (_("Budget"), "Rp" + num(board.budget)),
            (_("Overdue action items"), num(t["overdue_actions"])),
            (_("Households graduated"), num(t["households_graduated"])),
            (_("Graduated groups"), num(t["groups_graduated"])),
        ]
    )
    months = [month_label(m) for m in board.months]
    page.heading(_("Active groups by class"))
    page.bars(charts.bars(class_items(board), colours=CLASS_COLOURS))
    page.heading(_("Sales recorded per month (Rp)"))
    page.columns(charts.columns(months, board.series["sales"]))
    page.heading(_("Mentoring sessions per month"))
    page.columns(charts.columns(months, board.series["sessions"]), height=18)
    header, rows = breakdown_table(board)
    if rows:
        page.heading(_("Breakdown"))
        if board.scope.level == selectors.REGENCY:
            page.grid(header, rows, [28, 62, 36, 28, 28])
        else:
            keep = (1, 2, 3, 4, 7, 8)
            page.grid(
                [header[i] for i in keep],
                [
                    [r[i] if isinstance(r[i], str) else num(cast(int, r[i])) for i in keep]
                    for r in rows
                ],
                [58, 22, 22, 26, 32, 22],
            )
    return _finish(page)


def explained(result: ClassResult) -> list[dict[str, Any]]:
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


def group_pdf(
    kube: Kube,
    *,
    current: ClassResult | None,
    reports: list[GroupReport],
    members: int,
    today: date,
) -> bytes:
    num = format_number
    page = pdf.Page(
        _("KUBE summary: %(name)s") % {"name": kube.name},
        f"{kube.area_code} · {kube.business_type.label} · {kube.get_status_display()} · "
        + _("printed %(today)s") % {"today": f"{today:%Y-%m-%d}"},
    )
    latest = reports[0] if reports else None
    page.figures(
        [
            (_("Class"), current.get_klass_display() if current else _("Not classed yet")),
            (_("Score"), f"{current.score}" if current else "-"),
            (_("Members"), num(members)),
            (_("Latest report"), f"{latest.period:%Y-%m}" if latest else "-"),
            (_("Turnover"), "Rp" + num(latest.turnover) if latest else "-"),
            (_("Savings"), "Rp" + num(latest.savings) if latest else "-"),
        ]
    )
    if current:
        page.heading(_("What decided the class"))
        page.grid(
            [_("Indicator"), _("Value"), _("Points"), _("Score share"), ""],
            [
                [
                    str(row["label"]),
                    "-" if row["value"] is None else num(row["value"]),
                    f"{row['points']}",
                    f"{row['contribution']} / {row['full']}",
                    _("decided") if row["decided"] else _("holds back") if row["held_back"] else "",
                ]
                for row in explained(current)
            ],
            [70, 30, 16, 30, 36],
        )
    if reports:
        page.heading(_("Monthly reports"))
        ordered = list(reversed(reports))
        page.columns(
            charts.columns([month_label(r.period) for r in ordered], [r.turnover for r in ordered])
        )
        page.grid(
            [_("Month"), _("Turnover"), _("Profit"), _("Savings"), _("IKS paid"), _("Status")],
            [
                [
                    f"{r.period:%Y-%m}",
                    num(r.turnover),
                    num(r.profit),
                    num(r.savings),
                    num(r.iks_paid),
                    r.get_status_display(),
                ]
                for r in reports
            ],
            [24, 32, 32, 32, 28, 34],
        )
    return _finish(page)
