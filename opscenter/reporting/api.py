from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import if_match_version
from opscenter.core.inputs import Line, SaneDate
from opscenter.core.permissions import needs, require
from opscenter.org.models import Unit
from opscenter.org.roles import Perm

from . import services
from .filters import ReportFilterSchema
from .models import DataSet, Report
from .schemas import (
    BatchIn,
    CompletenessOut,
    DataSetDetailOut,
    DataSetOut,
    ReportIn,
    ReportOut,
    SubmitOut,
)

router = Router()


def report_out(r: Report) -> dict:
    return {
        "id": r.pk, "data_set": r.data_set.code, "unit": r.unit.code, "period": r.period, "version": r.version,
        "is_current": r.is_current, "status": r.status, "flags": r.shown_flags, "values": r.values, "source": r.source,
        "submitted_by": r.submitted_by.get_username() if r.submitted_by else None,
        "submitted_at": r.submitted_at, "comment": r.comment,
    }


def _submission(item: ReportIn, key: str | None, if_match: int | None = None) -> services.Submission:
    return services.Submission(
        data_set=item.data_set, unit=item.unit, period=item.period, values=item.values,
        source=Report.Source.API, idempotency_key=item.idempotency_key or key, comment=item.comment,
        base_version=item.base_version if item.base_version is not None else if_match,
    )


@router.get("/data-sets", response=list[DataSetOut])
@needs(Perm.VIEW_REPORTS)
def list_data_sets(request: AuthedRequest):
    require(request.user, Perm.VIEW_REPORTS)
    return DataSet.objects.filter(active=True)


@router.get("/data-sets/{code}", response=DataSetDetailOut)
@needs(Perm.VIEW_REPORTS)
def get_data_set(request: AuthedRequest, code: Line):
    require(request.user, Perm.VIEW_REPORTS)
    ds = get_object_or_404(DataSet.objects.prefetch_related("elements", "rules"), code=code)
    return {**DataSetOut.from_orm(ds).dict(), "elements": list(ds.elements.all()), "rules": list(ds.rules.all())}


@router.post("/reports", response={200: SubmitOut, 201: SubmitOut})
@needs(Perm.SUBMIT_REPORTS)
def submit_report(request: AuthedRequest, payload: ReportIn):
    """Submit one report. Resubmitting the same values (or the same Idempotency-Key) is harmless;
    different values for a stored period become a new version, the earlier one kept. An edit names the version
    it started from (`base_version` or `If-Match`): if another was stored since, 409 with what changed."""
    if_match = if_match_version(request.headers.get("If-Match"))
    outcome = services.submit(request.user, _submission(payload, request.headers.get("Idempotency-Key"), if_match))
    body = {"created": outcome.created, "warnings": outcome.warnings, "report": report_out(outcome.report)}
    return Status(201 if outcome.created else 200, body)


@router.post("/reports/batch", response=list[SubmitOut])
@needs(Perm.SUBMIT_REPORTS)
def submit_batch(request: AuthedRequest, payload: BatchIn):
    """Submit many reports at once, all or nothing (errors name the item: `[3].values.x`)."""
    outcomes = services.submit_many(request.user, [_submission(item, None) for item in payload.reports])
    return [{"created": o.created, "warnings": o.warnings, "report": report_out(o.report)} for o in outcomes]


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
@needs(Perm.VIEW_REPORTS)
def list_reports(request: AuthedRequest, filters: Query[ReportFilterSchema]) -> QuerySet:
    """Current versions of reports in the caller's scope, newest period first."""
    require(request.user, Perm.VIEW_REPORTS)
    qs = filters.filter(Report.objects.filter(request.user.scope_filter(), is_current=True)).select_related(
        "data_set", "unit", "submitted_by"
    )
    return [report_out(r) for r in qs]  # type: ignore[return-value]


@router.get("/reports/{data_set}/{unit}/{period}/versions", response=list[ReportOut])
@needs(Perm.VIEW_REPORTS)
def report_versions(request: AuthedRequest, data_set: Line, unit: Line, period: SaneDate):
    """Every version of one report, oldest first: who sent what, when."""
    target = get_object_or_404(Unit, code=unit)
    require(request.user, Perm.VIEW_REPORTS, target)
    qs = Report.objects.filter(data_set__code=data_set, unit=target, period=period).select_related(
        "data_set", "unit", "submitted_by"
    ).order_by("version")
    return [report_out(r) for r in qs]


@router.get("/completeness", response=list[CompletenessOut])
@needs(Perm.VIEW_REPORTS)
def completeness(request: AuthedRequest, data_set: Line = "HOSP_DAILY", date: SaneDate | None = None):
    """Per unit in scope: submitted on time, late, missing, or not yet due."""
    require(request.user, Perm.VIEW_REPORTS)
    ds = get_object_or_404(DataSet, code=data_set)
    units = ds.reporting_units.filter(active=True, pk__in=request.user.scope_units())
    rows = services.completeness(ds, date or services.local_today(), units)
    return [
        {"unit": r.unit.code, "unit_name": str(r.unit), "period": r.period, "status": r.status,
         "first_submitted_at": r.first_submitted_at, "versions": r.versions}
        for r in rows
    ]
