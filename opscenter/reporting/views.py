"""Reporting pages: the current reports, one report's versions, the web form, completeness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import StaleEdit
from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.core.exports import export_format, table_response
from opscenter.core.permissions import perm_required
from opscenter.core.ui import form_failure, page, parse_date
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from . import services
from .definitions import HOSPITAL_DAILY
from .filters import ReportFilterSet
from .forms import (
    VALUE_PREFIX,
    CompletenessFilter,
    ReportForm,
    base_token,
    plain_number,
    report_initial,
)
from .models import DataElement, DataSet, Report

PAGE_SIZE = 50
GRID_PERIODS = 14
COMPLETENESS_STATUS = {
    "on_time": gettext_lazy("On time"),
    "late": gettext_lazy("Late"),
    "missing": gettext_lazy("Missing"),
    "pending": gettext_lazy("Not yet due"),
}


def _scoped_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(user.scope_filter()).select_related("data_set", "unit", "submitted_by")


def _reporting_units(user: User) -> QuerySet[Unit]:
    return user.scope_units().filter(data_sets__isnull=False, active=True).distinct().order_by("name")


def _default_data_set(data_sets: list[DataSet], code: str | None) -> DataSet | None:
    by_code = {d.code: d for d in data_sets}
    return by_code.get(code or "") or by_code.get(HOSPITAL_DAILY) or (data_sets[0] if data_sets else None)


def detail_url(report: Report) -> str:
    return reverse("reporting:detail", args=[report.data_set.code, report.unit.code, report.period.isoformat()])


# --- the list ---------------------------------------------------------------------------------

@perm_required(Perm.VIEW_REPORTS)
def report_list(request: AuthedRequest) -> HttpResponse:
    data_sets = list(DataSet.objects.filter(active=True))
    filters = ReportFilterSet(request.GET or None, queryset=_scoped_reports(request.user).filter(is_current=True),
                              units=_reporting_units(request.user), data_sets=data_sets)
    qs = filters.qs.order_by("-period", "unit__name", "pk")
    if fmt := export_format(request):
        return _export_reports(qs, fmt)
    paginator = Paginator(qs, PAGE_SIZE)
    return page(request, "reporting/list.html", {
        "form": filters.form, "page_obj": paginator.get_page(request.GET.get("page")),
        "may_submit": request.user.has_perm_in(Perm.SUBMIT_REPORTS),
    })


def _export_reports(qs: QuerySet[Report], fmt: str) -> HttpResponse:
    data_set_ids = set(qs.values_list("data_set_id", flat=True).distinct())
    codes = list(
        DataElement.objects.filter(data_set_id__in=data_set_ids).order_by("data_set__code", "sort_order", "code")
        .values_list("code", flat=True)
    )
    codes = list(dict.fromkeys(codes))
    headers = [_("Period"), _("Unit code"), _("Unit"), _("Data set"), _("Version"), _("Status"), _("Source"),
               _("Submitted by"), _("Submitted at"), _("Warnings"), *codes]
    rows = (
        [r.period, r.unit.code, str(r.unit), r.data_set.code, r.version, r.get_status_display(),
         r.get_source_display(), r.submitted_by.get_username() if r.submitted_by else "", r.submitted_at,
         r.shown_flags, *(r.values.get(c) for c in codes)]
        for r in qs.iterator(chunk_size=500)
    )
    return table_response("reports", headers, rows, fmt)


# --- one report, every version ------------------------------------------------------------------

@perm_required(Perm.VIEW_REPORTS)
def report_detail(request: AuthedRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    try:
        day = dt.date.fromisoformat(period)
    except ValueError as exc:
        raise Http404("bad period") from exc
    target = get_object_or_404(request.user.scope_units(), code=unit)  # outside the scope: not found
    ds = get_object_or_404(DataSet.objects.prefetch_related("elements"), code=data_set)
    versions = list(
        Report.objects.filter(data_set=ds, unit=target, period=day).select_related("submitted_by").order_by("version")
    )
    if not versions:
        raise Http404("no such report")
    elements = list(ds.elements.all())
    known = {e.code for e in elements}
    extra = sorted({c for v in versions for c in v.values} - known)
    categories = dict(DataElement.Category.choices)
    rows: list[dict[str, Any]] = []
    last_category = None
    for code, label, category in [(e.code, e.label, e.category) for e in elements] + [(c, c, "") for c in extra]:
        if category != last_category:
            rows.append({"heading": categories.get(category, _("Other"))})
            last_category = category
        cells = []
        previous: Any = None
        for i, version in enumerate(versions):
            value = version.values.get(code)
            changed = i > 0 and value != previous
            cells.append({"value": value, "changed": changed, "previous": previous})
            previous = value
        rows.append({"code": code, "label": label, "cells": cells,
                     "changed": any(c["changed"] for c in cells)})
    current = next((v for v in versions if v.is_current), versions[-1])
    changes = [sum(1 for r in rows if "cells" in r and r["cells"][i]["changed"]) for i in range(len(versions))]
    return page(request, "reporting/detail.html", {
        "data_set": ds, "unit": target, "period": day, "versions": versions, "rows": rows, "current": current,
        "changes": changes,
        "may_correct": request.user.has_perm_in(Perm.SUBMIT_REPORTS, target),
        "may_dashboard": request.user.has_perm_in(Perm.VIEW_DASHBOARD, target) and target.kind == Unit.Kind.HOSPITAL,
    })


# --- the web form -------------------------------------------------------------------------------

@perm_required(Perm.SUBMIT_REPORTS)
def submit(request: AuthedRequest) -> HttpResponse:
    user = request.user
    scope = user.scope_units()
    data_sets = list(DataSet.objects.filter(active=True, reporting_units__in=scope).distinct())
    ds = _default_data_set(data_sets, request.POST.get("data_set") or request.GET.get("data_set"))
    if ds is None:
        return page(request, "reporting/submit.html", {"form": None, "data_sets": data_sets})
    ds = DataSet.objects.prefetch_related("elements").get(pk=ds.pk)
    units = list(ds.reporting_units.filter(active=True, pk__in=scope).order_by("name"))

    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST":
        form = ReportForm(request.POST, data_set=ds, units=units)
        if form.is_valid():
            submission = services.Submission(
                data_set=ds.code, unit=form.cleaned_data["unit"], period=form.cleaned_data["period"],
                values=form.values(), source=Report.Source.FORM, comment=form.cleaned_data["comment"],
                base_version=form.base_version(),
            )
            try:
                outcome = services.submit(user, submission)
            except StaleEdit as exc:
                form, conflict = _reapply(request, form, exc, ds, units)
            except ValidationFailed as exc:
                form_failure(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                report = outcome.report
                if not outcome.created:
                    messages.info(request, _("Nothing changed: the values are the same as version %(v)s.")
                                  % {"v": report.version})
                else:
                    messages.success(request, _("Report saved as version %(v)s.") % {"v": report.version})
                if outcome.warnings:
                    messages.warning(request, _("Flagged for review: %(w)s") % {"w": "; ".join(outcome.warnings)})
                return redirect(detail_url(report))
        unit_code = request.POST.get("unit", "")
        period = parse_date(request.POST.get("period"), timezone.localdate())
    else:
        unit_code = request.GET.get("unit") or (units[0].code if units else "")
        if unit_code not in {u.code for u in units}:
            unit_code = units[0].code if units else ""
        period = parse_date(request.GET.get("period"), timezone.localdate())
        existing = _current(ds, unit_code, period)
        form = ReportForm(initial=report_initial(existing, unit_code, period), data_set=ds, units=units)
    existing = _current(ds, unit_code, period)
    return page(request, "reporting/submit.html", {
        "form": form, "data_set": ds, "data_sets": data_sets, "existing": existing, "units": units,
        "groups": form.groups(), "grid_headers": ReportForm.grid_headers(), "conflict": conflict,
    }, status=(409 if conflict is not None else 422) if request.method == "POST" else 200)


def _reapply(request: AuthedRequest, form: ReportForm, exc: StaleEdit, ds: DataSet,
             units: list[Unit]) -> tuple[ReportForm, list[dict[str, Any]]]:
    """A save refused because a newer version was stored since the form was loaded: fill the form again
    from the stored version where only the others changed a value, keep the values this edit changed, mark
    the fields both changed, and base the form on the stored version so that saving again is deliberate."""
    data = request.POST.copy()
    labels = {VALUE_PREFIX + e.code: e.label for e in form.elements}
    rows, clashes = [], []
    for change in exc.changes:
        both = change.yours != change.base
        if not both:
            data[change.field] = "" if change.stored is None else str(plain_number(change.stored))
        else:
            clashes.append(change)
        rows.append({"field": change.field, "label": labels.get(change.field, change.field), "both": both,
                     "base": plain_number(change.base), "stored": plain_number(change.stored),
                     "yours": plain_number(change.yours)})
    data["base"] = base_token(form.cleaned_data["unit"], form.cleaned_data["period"], exc.current_version)
    fresh = ReportForm(data, data_set=ds, units=units)
    fresh.is_valid()
    for change in clashes:
        fresh.add_service_error(change.field, _("Changed by someone else too (now %(stored)s); your value is kept.")
                                % {"stored": _blank(plain_number(change.stored))})
    return fresh, rows


def _blank(value: Any) -> Any:
    return "—" if value is None else value


def _current(ds: DataSet, unit_code: str, period: dt.date) -> Report | None:
    if not unit_code:
        return None
    return (Report.objects.filter(data_set=ds, unit__code=unit_code, period=period, is_current=True)
            .select_related("submitted_by").first())


# --- completeness -------------------------------------------------------------------------------

def _periods(ds: DataSet, last: dt.date, count: int) -> list[dt.date]:
    """The `count` periods ending with the one containing `last`, oldest first."""
    if ds.periodicity == DataSet.Periodicity.WEEKLY:
        start = last - dt.timedelta(days=last.weekday())
        periods = [start - dt.timedelta(weeks=i) for i in range(count)]
    elif ds.periodicity == DataSet.Periodicity.MONTHLY:
        periods, month = [], last.replace(day=1)
        for _i in range(count):
            periods.append(month)
            month = (month - dt.timedelta(days=1)).replace(day=1)
    else:
        periods = [last - dt.timedelta(days=i) for i in range(count)]
    return list(reversed(periods))


@perm_required(Perm.VIEW_REPORTS)
def completeness(request: AuthedRequest) -> HttpResponse:
    data_sets = list(DataSet.objects.filter(active=True))
    today = timezone.localdate()
    form = CompletenessFilter(request.GET or None, data_sets=data_sets)
    cleaned = form.cleaned_data if form.is_valid() else {}
    ds = _default_data_set(data_sets, cleaned.get("data_set"))
    day = min(cleaned.get("date") or today, today)
    if not form.is_bound:
        form = CompletenessFilter(initial={"date": day, "data_set": ds.code if ds else ""}, data_sets=data_sets)
    if ds is None:
        return page(request, "reporting/completeness.html", {"form": form, "data_set": None})
    periods = _periods(ds, day, GRID_PERIODS)
    units = list(ds.reporting_units.filter(active=True, pk__in=request.user.scope_units()).order_by("name"))
    now = timezone.now()
    grid = {p: {r.unit.pk: r for r in services.completeness(ds, p, units, now=now)} for p in periods}
    period = periods[-1]
    rows: list[dict[str, Any]] = []
    for unit in units:
        row = grid[period][unit.pk]
        rows.append({
            "unit": unit, "status": row.status, "status_label": COMPLETENESS_STATUS[row.status],
            "first_submitted_at": row.first_submitted_at, "versions": row.versions,
            "history": [{"period": p, "status": grid[p][unit.pk].status,
                         "label": COMPLETENESS_STATUS[grid[p][unit.pk].status]} for p in periods],
        })
    order = {"missing": 0, "late": 1, "pending": 2, "on_time": 3}
    rows.sort(key=lambda r: (order[r["status"]], r["unit"].name))
    if fmt := export_format(request):
        headers = [_("Unit code"), _("Unit"), _("Status"), _("First submitted at"), _("Versions"),
                   *(p.isoformat() for p in periods)]
        table = [
            [r["unit"].code, str(r["unit"]), str(r["status_label"]), r["first_submitted_at"], r["versions"],
             *(str(h["label"]) for h in r["history"])]
            for r in rows
        ]
        return table_response(f"completeness-{ds.code}-{period.isoformat()}", headers, table, fmt)
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in COMPLETENESS_STATUS}
    summary = [{"status": s, "label": label, "count": counts[s]} for s, label in COMPLETENESS_STATUS.items()]
    return page(request, "reporting/completeness.html", {
        "form": form, "data_set": ds, "period": period, "due_at": ds.due_at(period), "rows": rows,
        "periods": periods, "summary": summary, "expected": len(units),
        "received": counts["on_time"] + counts["late"],
        "may_submit": request.user.has_perm_in(Perm.SUBMIT_REPORTS),
    })
