"""Surveillance JSON API: case reports in (merged, corrected, cancelled), aggregates, signals, Rt, forecasts.
Personal case data only for VIEW_CASE_DETAILS, and every read of it is logged."""

from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import if_match_version
from opscenter.core.errors import NotFound, ValidationFailed
from opscenter.core.inputs import Count, Line, SaneDate, ordered
from opscenter.core.permissions import needs
from opscenter.org.roles import Perm

from . import queries, services
from .filters import CaseFilterSchema, ForecastFilterSchema, SignalFilterSchema
from .filters import known_disease as _disease
from .models import Case, CaseReport
from .schemas import (
    CancelIn,
    CaseBatchIn,
    CaseCountOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseReportOut,
    CaseResultOut,
    CorrectionIn,
    ForecastOut,
    IncidenceOut,
    ReportCountOut,
    RtOut,
    SignalOut,
)

router = Router()


def _input(item: CaseIn) -> services.CaseInput:
    return services.CaseInput(**item.dict(exclude={"idempotency_key"}))


@router.post("/cases", response={200: CaseResultOut, 201: CaseResultOut})
@needs(Perm.REPORT_CASES)
def report_case(request: AuthedRequest, payload: CaseIn):
    """Report one case. The same patient reported again (here or by another facility) is merged into
    their case, not counted twice; a repeat with the same Idempotency-Key changes nothing."""
    key = payload.idempotency_key or request.headers.get("Idempotency-Key")
    result = services.report_case(request.user, _input(payload), CaseReport.Source.API, key)
    return Status(201 if result.created else 200, queries.result_out(request.user, result))


@router.post("/cases/batch", response=list[CaseResultOut])
@needs(Perm.REPORT_CASES)
def report_cases(request: AuthedRequest, payload: CaseBatchIn):
    """Many cases at once, all or nothing (errors name the item: `[3].onset_date`)."""
    results = services.report_cases(request.user, [_input(c) for c in payload.cases], CaseReport.Source.API,
                                     [c.idempotency_key for c in payload.cases])
    return [queries.result_out(request.user, r) for r in results]


@router.get("/cases", response=list[CaseDetailOut])
@paginate(LimitOffsetPagination)
@needs(Perm.VIEW_CASE_DETAILS)
def list_cases(request: AuthedRequest, filters: Query[CaseFilterSchema]):
    """The line list with personal data (epidemiology roles; every read is logged)."""
    qs = filters.filter(services.case_queryset(request.user))
    return queries.AuditedCases(qs, request.user, "api list")


def _case(request: AuthedRequest, case_id: int) -> Case:
    case = services.case_queryset(request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case in your scope")
    return case


@router.get("/cases/{case_id}", response=CaseDetailOut)
@needs(Perm.VIEW_CASE_DETAILS)
def get_case(request: AuthedRequest, case_id: int):
    case = _case(request, case_id)
    services.record_case_access(request.user, [case], "api detail")
    return queries.case_detail_out(case)


@router.get("/cases/{case_id}/history", response=list[CaseReportOut])
@needs(Perm.VIEW_CASE_DETAILS)
def case_history(request: AuthedRequest, case_id: int):
    case = _case(request, case_id)
    services.record_case_access(request.user, [case], "api history")
    return [queries.report_out(r) for r in case.reports.select_related("facility", "submitted_by")]


def _changeable(request: AuthedRequest, case_id: int) -> Case:
    case = services.cases_in_scope(request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case in your scope")
    return case


def _base_version(request: AuthedRequest, payload: CorrectionIn) -> int | None:
    return payload.base_version if payload.base_version is not None else \
        if_match_version(request.headers.get("If-Match"))


@router.post("/cases/{case_id}/corrections", response=CaseOut)
@needs(Perm.VIEW_CASE_DETAILS, Perm.REPORT_CASES)
def correct_case(request: AuthedRequest, case_id: int, payload: CorrectionIn):
    """Correct some values; the earlier ones stay in the case's history."""
    case = services.correct_case(request.user, _changeable(request, case_id), payload.changes.dict(exclude_none=True),
                                 payload.reason,
                                 base_version=_base_version(request, payload))
    return queries.case_out(case)


@router.post("/cases/{case_id}/cancel", response=CaseOut)
@needs(Perm.VIEW_CASE_DETAILS, Perm.REPORT_CASES)
def cancel_case(request: AuthedRequest, case_id: int, payload: CancelIn):
    case = services.cancel_case(request.user, _changeable(request, case_id), payload.reason)
    return queries.case_out(case)


@router.get("/counts", response=list[CaseCountOut], url_name="surveillance_counts")
@needs(Perm.VIEW_SURVEILLANCE)
def counts(request: AuthedRequest, date_from: SaneDate, date_to: SaneDate, disease: Line | None = None,
           by: Line = "day", group: Line | None = None):
    """Case counts (no personal data) per `by` = day|week, and per `group` = ward|facility if given."""
    group = group or None  # "group=" from a form means no grouping
    if by not in ("day", "week"):
        raise ValidationFailed.one("by", "day or week")
    if group not in (None, "ward", "facility"):
        raise ValidationFailed.one("group", "ward or facility")
    if date_to < date_from:
        raise ValidationFailed.one("date_to", "before date_from")
    return services.counts_by(request.user, _disease(disease), date_from, date_to, by, group)


@router.get("/report-counts", response=list[ReportCountOut])
@needs(Perm.VIEW_SURVEILLANCE)
def report_counts(request: AuthedRequest, disease: Line, date_from: SaneDate, date_to: SaneDate):
    """New cases as the daily hospital reports of your scope count them, per day and facility."""
    ordered(date_from, date_to, "date_to", "date_from")
    return services.report_counts(request.user, _disease(disease) or "", date_from, date_to)


@router.get("/incidence", response=list[IncidenceOut], url_name="surveillance_incidence")
@needs(Perm.VIEW_SURVEILLANCE)
def incidence(request: AuthedRequest, disease: Line, days: Count = 28, date_to: SaneDate | None = None):
    """Cases (reported in your scope) per ward in the last `days` days, and per 100,000 residents."""
    if not 1 <= days <= 366:
        raise ValidationFailed.one("days", "from 1 to 366")
    return services.incidence_by_ward(request.user, _disease(disease) or "", date_to or services.local_today(), days)


@router.get("/signals", response=list[SignalOut], url_name="surveillance_signals")
@needs(Perm.VIEW_SURVEILLANCE)
def signals(request: AuthedRequest, filters: Query[SignalFilterSchema]):
    """Detection results of a day (the latest by default): they count every facility's cases, so only for a
    city-wide scope (empty otherwise)."""
    day_results = queries.signals(request.user, filters.day, None, None, None)
    return [queries.signal_out(s) for s in filters.filter(day_results)]


@router.get("/rt", response=RtOut, url_name="surveillance_rt")
@needs(Perm.VIEW_SURVEILLANCE)
def rt(request: AuthedRequest, params: Query[queries.RtParams]):
    """Rt (Cori et al.) with its 95% credible interval, for a disease city-wide or in a ward, from the cases
    reported in your scope."""
    _disease(params.disease)
    return queries.rt(request.user, params)


@router.get("/forecasts", response=list[ForecastOut], url_name="surveillance_forecasts")
@needs(Perm.VIEW_SURVEILLANCE)
def forecasts(request: AuthedRequest, filters: Query[ForecastFilterSchema]):
    """The latest forecasts in your scope (a hospital: its own series; the department: every series), with
    their backtest against the seasonal naive baseline."""
    return [queries.forecast_out(f) for f in filters.filter(services.forecasts_for(request.user))]


@router.get("/forecasts/hospital/{code}", response=list[ForecastOut], url_name="surveillance_hospital_forecasts")
@needs(Perm.VIEW_SURVEILLANCE, Perm.VIEW_DASHBOARD)
def hospital_forecasts(request: AuthedRequest, code: Line):
    """A hospital's admissions and occupied beds per type for the next 14 days (for its capacity charts)."""
    unit = request.user.scope_units().filter(code=code).first()
    if unit is None:
        raise NotFound("No such unit in your scope")
    return [queries.forecast_out(f) for f in services.hospital_forecasts(unit)]
