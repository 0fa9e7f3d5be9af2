"""The leaders' morning briefing as a PDF.

The document is the template `dashboard/briefing.html`: its wording goes through gettext, its numbers and dates
through Django's formats of the reader's language. fpdf2 lays it out (its HTML renderer, the DejaVu fonts for
the Vietnamese diacritics), as the meeting minutes are printed. The figures come from the same read models as
the dashboard, for the reader's scope: the whole city for the department, one hospital for its staff, the 115
centre for its dispatchers (their section: incidents, response times, ambulances).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import TextStyle

from opscenter.alerts.models import SOURCE_LABELS, Alert, Severity
from opscenter.emergency import queries as emergency
from opscenter.emergency.models import Ambulance
from opscenter.org.models import BedType, Unit, User
from opscenter.org.roles import Perm
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import BED_TYPES
from opscenter.reporting.models import DataSet
from opscenter.vision.models import VisionEvent

from . import queries

FONT_DIR = settings.BASE_DIR / "static" / "fonts"
FONT = "DejaVu"
DARK = (31, 42, 55)
MUTED = (100, 110, 120)
RULE = (200, 205, 210)
HIGH_OCCUPANCY = 0.9
ALERT_ITEMS = 5  # the alerts listed one by one; the others are counted
OFFLOAD_ITEMS = 5  # hospitals where ambulances wait longest to hand over
MARGIN = 15  # mm
HEAD_TOP = 7  # mm of dark band above and below the head
CELL_PADDING = 1.2  # mm, each side of a table cell
TABLE_SIZE = 8.5  # pt
KEEP_TOGETHER = 45  # mm: a section too long for one page starts only with this much room (heading, header, rows)

SEVERITY_ORDER = (Severity.CRITICAL, Severity.WARNING, Severity.INFO)
KINDS: dict[str, Promise] = {
    "bed_occupancy": gettext_lazy("High bed occupancy"),
    "er_waiting": gettext_lazy("Emergency patients waiting for a bed"),
    "report_overdue": gettext_lazy("Report overdue"),
    "forecast_capacity": gettext_lazy("Bed demand forecast above capacity"),
    "outbreak_signal": gettext_lazy("Possible outbreak"),
    "incident_unassigned": gettext_lazy("115 call without an ambulance"),
    "offload_slow": gettext_lazy("Slow patient handover from ambulances"),
    "incoming_patient": gettext_lazy("115 patient on the way"),
    "directive_overdue": gettext_lazy("Directive overdue"),
    "no_free_slot": gettext_lazy("No free appointment in a specialty"),
    **{f"camera_{kind}": label for kind, label in VisionEvent.Kind.choices},
}
# Dates in the text, in Django's date syntax, per language: numeric day/month/year in Vietnamese, the month
# by name in English (so that 01/12 is never read as 12 January).
# Translators: a date in the morning briefing, in Django's date format syntax (Vietnamese: d/m/Y).
DATE_FORMAT = gettext_lazy("j M Y")
# Translators: a date and time in the morning briefing, in Django's date format syntax (Vietnamese: H:i d/m/Y).
DATETIME_FORMAT = gettext_lazy("j M Y, H:i")


# --- what the document shows ----------------------------------------------------------------------------------

@dataclass
class Scope:
    label: str
    hospitals: int = 0  # active hospitals in scope: beds, ER, daily reports
    emergency: bool = False  # a 115 centre or station in scope, and the right to see it

    @property
    def empty(self) -> bool:
        return not self.hospitals and not self.emergency


@dataclass
class AlertSummary:
    total: int = 0
    recent: int = 0  # raised in the last 24 hours
    severities: list[dict[str, Any]] = field(default_factory=list)  # label, count (most severe first)
    kinds: list[dict[str, Any]] = field(default_factory=list)  # source, kind, count per severity, total
    top: list[dict[str, Any]] = field(default_factory=list)  # the most severe, oldest open first
    more: int = 0  # open alerts not listed one by one


@dataclass
class Briefing:
    """Everything the document shows, computed before any layout."""

    day: dt.date
    scope: Scope
    generated: dt.datetime
    beds: list[dict[str, Any]] = field(default_factory=list)  # per bed type
    beds_all: dict[str, Any] = field(default_factory=dict)  # all types together
    indicators: list[dict[str, Any]] = field(default_factory=list)
    high: list[dict[str, Any]] = field(default_factory=list)
    emergency: dict[str, Any] | None = None
    alerts: AlertSummary = field(default_factory=AlertSummary)
    reports: list[reporting.UnitCompleteness] = field(default_factory=list)  # missing, then late
    pending: int = 0
    due_at: dt.datetime | None = None
    data_set_missing: bool = False


def scope_of(user: User) -> Scope:
    """What the reader's unit covers, and how the document names it."""
    unit = user.unit
    if unit is None:
        return Scope(label="—")
    emergency_units = (Unit.Kind.EMERGENCY_CENTER, Unit.Kind.AMBULANCE_STATION)
    return Scope(
        label=_("Whole city") if unit.kind == Unit.Kind.DEPARTMENT else unit.name,
        hospitals=queries.facilities_in_scope(user).count(),
        emergency=user.has_perm_in(Perm.VIEW_EMERGENCY)
        and user.scope_units().filter(kind__in=emergency_units, active=True).exists(),
    )


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _occupancy(loads: list[queries.FacilityLoad]) -> float | None:
    total = sum(b["total"] for x in loads for b in x.beds.values())
    occupied = sum(b["occupied"] for x in loads for b in x.beds.values())
    return occupied / total if total else None


def _day_end(day: dt.date, now: dt.datetime) -> dt.datetime:
    """"The last 24 hours" end now for today's briefing, at the end of the day for an earlier one."""
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def collect(user: User, day: dt.date, data_set: DataSet | None, now: dt.datetime | None = None) -> Briefing:
    now = now or timezone.now()
    end = _day_end(day, now)
    briefing = Briefing(day=day, scope=scope_of(user), generated=now, data_set_missing=data_set is None)
    if briefing.scope.hospitals:
        _hospitals(briefing, user, day)
        if data_set is not None:
            _reports(briefing, user, day, data_set, now)
    if briefing.scope.emergency:
        briefing.emergency = _emergency(user, end)
    briefing.alerts = _alerts(user, end)
    return briefing


def _hospitals(briefing: Briefing, user: User, day: dt.date) -> None:
    loads = queries.facility_loads(user, today=day)
    before = queries.facility_loads(user, today=day - dt.timedelta(days=1))
    k, kb = queries.kpis(loads, user), queries.kpis(before, user)
    for code in BED_TYPES:
        total = k["beds_total"].get(code, 0)
        if not total and not kb["beds_total"].get(code):
            continue  # a type the scope has no beds of (a hospital without obstetrics)
        occupied = sum(x.beds.get(code, {}).get("occupied", 0) for x in loads)
        free = k["beds_free"].get(code, 0)
        briefing.beds.append({
            "label": BedType(code).label, "total": total, "occupied": occupied, "free": free,
            "occupancy": occupied / total if total else None,
            "change_free": _change(free, kb["beds_free"].get(code)) if kb["beds_total"].get(code) else None,
        })
    total_all = sum(k["beds_total"].values())
    occupied_all = sum(row["occupied"] for row in briefing.beds)
    briefing.beds_all = {
        "total": total_all, "occupied": occupied_all, "free": k["beds_free_all"],
        "occupancy": occupied_all / total_all if total_all else None,
        "change_free": _change(k["beds_free_all"], kb["beds_free_all"]) if sum(kb["beds_total"].values()) else None,
    }
    occupancy, occupancy_before = _occupancy(loads), _occupancy(before)
    briefing.indicators = [
        {"label": _("Overall bed occupancy"), "share": True, "today": occupancy, "before": occupancy_before,
         "change": _change(occupancy, occupancy_before)},
        {"label": _("ER visits (facilities that reported)"), "today": k["er_visits_today"],
         "before": kb["er_visits_today"], "change": k["er_visits_today"] - kb["er_visits_today"]},
        {"label": _("ER patients waiting for a bed"), "today": k["er_waiting"], "before": kb["er_waiting"],
         "change": k["er_waiting"] - kb["er_waiting"]},
        {"label": _("Reports received"), "ratio": True,
         "today": k["reports_today"], "today_of": k["reports_expected"],
         "before": kb["reports_today"], "before_of": kb["reports_expected"],
         "change": k["reports_today"] - kb["reports_today"]},
    ]
    briefing.high = sorted(
        (
            {"code": x.code, "name": x.name, "occupancy": x.occupancy,
             "free": sum(b["available"] for b in x.beds.values()), "er_waiting": x.er_waiting}
            for x in loads if x.occupancy is not None and x.occupancy > HIGH_OCCUPANCY
        ),
        key=lambda row: -row["occupancy"],
    )


def _reports(briefing: Briefing, user: User, day: dt.date, data_set: DataSet, now: dt.datetime) -> None:
    units = data_set.reporting_units.filter(active=True, pk__in=user.scope_units())
    rows = reporting.completeness(data_set, day, units, now=now)
    briefing.reports = [r for r in rows if r.status == "missing"] + [r for r in rows if r.status == "late"]
    briefing.pending = sum(1 for r in rows if r.status == "pending")
    briefing.due_at = data_set.due_at(day)


def _emergency(user: User, end: dt.datetime) -> dict[str, Any]:
    """The 115 part: incidents and response times of the last 24 hours, the fleet now, the slowest handovers."""
    k = emergency.kpis(user, hours=24, now=end)
    fleet = [{"label": label, "count": k["fleet"].get(status, 0)}
             for status, label in Ambulance.Status.choices if k["fleet"].get(status)]
    return {
        "incidents": k["incidents"], "open": k["open"], "waiting": k["waiting"],
        "available": k["ambulances_available"], "ambulances": sum(k["fleet"].values()), "fleet": fleet,
        "by_priority": [p for p in k["by_priority"] if p["incidents"]],
        "offload": k["offload"][:OFFLOAD_ITEMS], "offload_more": max(len(k["offload"]) - OFFLOAD_ITEMS, 0),
    }


def _alerts(user: User, end: dt.datetime) -> AlertSummary:
    """The open alerts in scope, summarised: counts by severity, source and kind, and a handful one by one."""
    open_alerts = Alert.objects.filter(user.scope_filter(), raised_at__lte=end).exclude(status=Alert.Status.RESOLVED)
    summary = AlertSummary()
    kinds: dict[tuple[str, str], dict[str, Any]] = {}
    severities = dict.fromkeys(SEVERITY_ORDER, 0)
    for row in open_alerts.values("source", "kind", "severity").annotate(n=Count("pk")).order_by():
        entry = kinds.setdefault((row["source"], row["kind"]), {
            "source": SOURCE_LABELS.get(row["source"], _("Other")), "kind": KINDS.get(row["kind"], _("Other")),
            **dict.fromkeys(SEVERITY_ORDER, 0), "total": 0,
        })
        severity = row["severity"] if row["severity"] in severities else Severity.INFO
        entry[severity] += row["n"]
        entry["total"] += row["n"]
        severities[severity] += row["n"]
    summary.total = sum(severities.values())
    summary.recent = open_alerts.filter(raised_at__gt=end - dt.timedelta(hours=24)).count()
    summary.severities = [{"label": Severity(s).label, "count": n, "severity": s} for s, n in severities.items()]
    summary.kinds = sorted(kinds.values(), key=lambda e: (  # keyed by severity value: critical, warning, info
        -e[Severity.CRITICAL], -e["total"], str(e["source"]), str(e["kind"])))
    rank = Case(*(When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITY_ORDER)),
                default=Value(len(SEVERITY_ORDER)), output_field=IntegerField())
    top = open_alerts.select_related("unit").annotate(rank=rank).order_by("rank", "raised_at", "pk")[:ALERT_ITEMS]
    summary.top = [{"raised_at": a.raised_at, "severity": a.severity,
                    "severity_label": Severity(a.severity).label if a.severity in Severity.values else _("Other"),
                    "text": a.shown_title, "status": Alert.Status(a.status).label} for a in top]
    summary.more = summary.total - len(summary.top)
    return summary


def short_date(value: str | dt.date) -> str:
    """An ISO date (or a date) as the reader's language writes it."""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return date_format(day, str(DATE_FORMAT))


# --- layout ----------------------------------------------------------------------------------------------------

class BriefingPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 6, self.footer_text, align="L")
        self.cell(self.epw / 2, 6, _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
                  align="R")


def _new_pdf(fonts: FPDF | None = None) -> BriefingPDF:
    """An A4 document with the DejaVu fonts (read once: a measuring copy shares those of the document)."""
    pdf = BriefingPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    if fonts is not None:
        pdf.fonts.update(fonts.fonts)
    else:
        pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return pdf


HTML_STYLE: dict[str, Any] = {
    "font_family": FONT,
    "table_line_separators": True,
    "tag_styles": {
        "h1": TextStyle(font_family=FONT, font_style="B", font_size_pt=16, color=(255, 255, 255), t_margin=0,
                        b_margin=0.5),
        "h2": TextStyle(font_family=FONT, font_style="B", font_size_pt=11.5, color=DARK, t_margin=5, b_margin=1),
        "h3": TextStyle(font_family=FONT, font_style="B", font_size_pt=9.5, color=DARK, t_margin=2.5, b_margin=0.5),
        "p": TextStyle(font_family=FONT, font_size_pt=9, color=(0, 0, 0), t_margin=1, b_margin=1),
    },
    "warn_on_tags_not_matching": False,
}


def _write(pdf: FPDF, html: str) -> None:
    pdf.set_font(FONT, "", TABLE_SIZE)  # tables take the size in force when they start
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(255, 255, 255)  # table cells without a bgcolor are filled with the colour in force
    pdf.write_html(html, **HTML_STYLE)


def _height(scratch: FPDF, html: str) -> float:
    """How tall a section is (mm), laid out alone on a page of the same size."""
    scratch.add_page()
    start_page, start_y = scratch.page, scratch.y
    _write(scratch, html)
    return (scratch.page - start_page) * (scratch.page_break_trigger - scratch.t_margin) + scratch.y - start_y


def _sections(html: str) -> list[tuple[str, str]]:
    """The template's <section>s: (name, inner HTML), in order."""
    return re.findall(r'<section data-part="([\w-]+)">(.*?)</section>', html, re.S)


def layout(pdf: BriefingPDF, html: str) -> bytes:
    """Lay the rendered template out on A4 pages: the head on a dark band; each section kept whole on one page
    when it fits on one (a heading stays with its table, no row is left alone at a page foot), else begun only
    where its heading, header and first rows have room; a table repeats its header row on every page it reaches."""
    scratch = _new_pdf(fonts=pdf)  # where each section is measured before it is placed
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()
    usable = pdf.page_break_trigger - pdf.t_margin
    for name, part in _sections(html):
        if name == "head":  # white on a dark band across the top of the first page
            pdf.set_fill_color(*DARK)
            pdf.rect(0, 0, pdf.w, HEAD_TOP + _height(scratch, part) + HEAD_TOP, style="F")
            pdf.set_top_margin(HEAD_TOP)  # the HTML flows from the top margin
            pdf.set_y(HEAD_TOP)
            _write(pdf, part)
            pdf.set_top_margin(MARGIN)
            pdf.set_y(pdf.get_y() + HEAD_TOP + 2)
            continue
        height = _height(scratch, part)
        room = pdf.page_break_trigger - pdf.y
        if height > room and (height <= usable or room < KEEP_TOGETHER):
            pdf.add_page()
        _write(pdf, part)
    return bytes(pdf.output())


def code_width(pdf: FPDF, codes: list[str]) -> int:
    """Width (whole mm) of a column of unit codes, wide enough that no code is broken across lines."""
    pdf.set_font(FONT, "", TABLE_SIZE)
    widest = max((pdf.get_string_width(c) for c in codes), default=0)
    return max(math.ceil(widest + 2 * CELL_PADDING + 1.5), 14)


def render(briefing: Briefing) -> bytes:
    pdf = _new_pdf()
    day = short_date(briefing.day)
    pdf.set_title(f"{_('Morning briefing')} {day} · {briefing.scope.label}")
    pdf.set_author(_("Department of Health, Ho Chi Minh City"))
    pdf.set_lang(get_language() or settings.LANGUAGE_CODE)
    pdf.set_creator("opscenter")
    pdf.footer_text = f"{_('Morning briefing')} · {day} · {briefing.scope.label}"
    code = code_width(pdf, [h["code"] for h in briefing.high] + [r.unit.code for r in briefing.reports])
    epw = round(pdf.epw)
    parts = [name for name, shown in (
        ("beds", briefing.scope.hospitals), ("indicators", briefing.scope.hospitals),
        ("high", briefing.scope.hospitals > 1), ("emergency", briefing.emergency is not None), ("alerts", True),
        ("reports", briefing.scope.hospitals),
    ) if shown]
    context = {
        "b": briefing, "n": {name: i for i, name in enumerate(parts, 1)},
        "day_long": date_format(briefing.day, "DATE_FORMAT"),
        "datetime_format": str(DATETIME_FORMAT),
        # whole millimetres: a float would be printed with the language's decimal comma
        "widths": {"code": code, "high_name": epw - code - 70, "report_name": epw - code - 64},
    }
    return layout(pdf, render_to_string("dashboard/briefing.html", context))


def build_briefing(user: User, day: dt.date, data_set: DataSet | None, now: dt.datetime | None = None) -> bytes:
    return render(collect(user, day, data_set, now))
