import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router

from opscenter.core.auth import AuthedRequest
from opscenter.core.inputs import Count, Line, SaneDate
from opscenter.core.permissions import needs, require
from opscenter.org.roles import Perm
from opscenter.reporting import figures

from . import queries

router = Router()


def overview_data(user, today: dt.date | None = None) -> dict:
    loads = queries.facility_loads(user, today)
    return {
        "facilities": [x.as_dict() for x in loads],
        "kpis": queries.kpis(loads, user),
    }


@router.get("/overview")
@needs(Perm.VIEW_DASHBOARD)
def overview(request: AuthedRequest, date: SaneDate | None = None):
    """Facilities on the map with their load, and the city KPI tiles."""
    require(request.user, Perm.VIEW_DASHBOARD)
    return overview_data(request.user, date)


@router.get("/trends")
@needs(Perm.VIEW_DASHBOARD)
def trends(request: AuthedRequest, days: Count = 90, unit: Line | None = None):
    """Daily sums over the facilities in scope (or one facility)."""
    require(request.user, Perm.VIEW_DASHBOARD)
    units = queries.facilities_in_scope(request.user)
    if unit:
        units = units.filter(code=unit)
    return queries.trends(units, min(max(days, 1), 1100))


@router.get("/facilities/{code}/history")
@needs(Perm.VIEW_DASHBOARD)
def facility_history(request: AuthedRequest, code: Line, days: Count = 365):
    """A facility's daily figures (the current version of each day's report), oldest first: counts, bed sums,
    and per bed type its total, occupied and available beds."""
    require(request.user, Perm.VIEW_DASHBOARD)
    unit = get_object_or_404(queries.facilities_in_scope(request.user), code=code)
    return [
        {"period": row.period, "version": row.report.version, "status": row.report.status,
         **{column: getattr(row, column) for column in figures.VALUE_COLUMNS},
         "beds": {bed_type: beds._asdict() for bed_type, beds in row.beds.items()}}
        for row in queries.facility_history(unit, min(max(days, 1), 1100))
    ]
