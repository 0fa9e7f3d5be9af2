"""The operations center's appointment figures: bookings per facility and day, no-show rates and how far ahead
the first free time of each specialty is. Department staff see every facility, a hospital its own."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.auth import AuthedRequest
from opscenter.core.permissions import perm_required
from opscenter.core.ui import page
from opscenter.org.roles import Perm

from . import queries


def _date(raw: str | None) -> dt.date | None:
    """A date from the filter; none (the default range) when missing or malformed."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@perm_required(Perm.VIEW_BOOKINGS)
def figures(request: AuthedRequest) -> HttpResponse:
    start, end = queries.figures_range(_date(request.GET.get("start")), _date(request.GET.get("end")))
    refused = ""
    if end < start or (end - start).days >= queries.FIGURES_MAX_DAYS:
        refused = "range"
        start, end = queries.figures_range()
    facilities = queries.facilities_with_bookings(request.user)
    unit = request.GET.get("unit", "")
    found = queries.appointment_figures(request.user, start, end, unit or None)
    chart = {"days": [d.isoformat() for d in found.days],
             "series": {name: [getattr(c, name) for c in found.days.values()]
                        for name in ("came", "waiting", "no_show", "cancelled")},
             "labels": {"came": _("Checked in or seen"), "waiting": _("Still booked"), "no_show": _("Did not come"),
                        "cancelled": _("Cancelled"), "noData": _("No data yet")}}
    return page(request, "booking/figures.html", {
        "figures": found, "facilities": facilities, "unit": unit, "today": timezone.localdate(),
        "lead_times": queries.lead_times(), "within_days": queries.WITHIN_DAYS, "refused": refused,
        "max_days": queries.FIGURES_MAX_DAYS, "chart": chart})
