"""Roles and what each may do. The one place that says who can do what; scope is checked separately."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Department operator")
    LEADER = "leader", _("Department leader")
    REPORTER = "reporter", _("Hospital reporter")
    HOSPITAL_MANAGER = "hospital_manager", _("Hospital manager")
    SECURITY = "security", _("Security officer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    EPIDEMIOLOGIST = "epidemiologist", _("Epidemiologist")
    CLERK = "clerk", _("Records clerk")
    ADMIN = "admin", _("System administrator")


class Perm(models.TextChoices):
    # platform and reporting
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_REPORTS = "view_reports"
    SUBMIT_REPORTS = "submit_reports"
    VIEW_ALERTS = "view_alerts"
    HANDLE_ALERTS = "handle_alerts"
    MANAGE_DATASETS = "manage_datasets"
    MANAGE_UNITS = "manage_units"
    VIEW_AUDIT = "view_audit"
    # camera AI: footage and faces are for security roles only
    VIEW_CAMERAS = "view_cameras"
    MANAGE_CAMERAS = "manage_cameras"
    MANAGE_WATCHLIST = "manage_watchlist"
    # 115 emergency coordination
    VIEW_EMERGENCY = "view_emergency"
    DISPATCH = "dispatch"
    UPDATE_VEHICLES = "update_vehicles"
    # epidemic surveillance: personal case data for epidemiology roles only
    VIEW_SURVEILLANCE = "view_surveillance"
    REPORT_CASES = "report_cases"
    VIEW_CASE_DETAILS = "view_case_details"
    # direction and internal work
    ISSUE_DIRECTIVES = "issue_directives"
    HANDLE_DIRECTIVES = "handle_directives"
    VIEW_DOCUMENTS = "view_documents"
    REGISTER_DOCUMENTS = "register_documents"
    APPROVE_DOCUMENTS = "approve_documents"
    MANAGE_MEETINGS = "manage_meetings"
    ATTEND_MEETINGS = "attend_meetings"
    # appointments
    VIEW_BOOKINGS = "view_bookings"
    MANAGE_SCHEDULES = "manage_schedules"
    RECEIVE_PATIENTS = "receive_patients"


P = Perm
_ALL = set(Perm)
_WORK = {P.HANDLE_DIRECTIVES, P.VIEW_DOCUMENTS, P.ATTEND_MEETINGS}
ROLE_PERMS: dict[str, set[Perm]] = {
    Role.OPERATOR: {
        P.VIEW_DASHBOARD, P.VIEW_REPORTS, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.SUBMIT_REPORTS, P.VIEW_EMERGENCY,
        P.VIEW_SURVEILLANCE, P.ISSUE_DIRECTIVES, P.MANAGE_MEETINGS, P.VIEW_BOOKINGS, *_WORK,
    },
    Role.LEADER: {
        P.VIEW_DASHBOARD, P.VIEW_REPORTS, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.VIEW_AUDIT, P.VIEW_EMERGENCY,
        P.VIEW_SURVEILLANCE, P.ISSUE_DIRECTIVES, P.APPROVE_DOCUMENTS, P.MANAGE_MEETINGS, P.VIEW_BOOKINGS, *_WORK,
    },
    Role.REPORTER: {P.VIEW_REPORTS, P.SUBMIT_REPORTS, P.REPORT_CASES, *_WORK},
    Role.HOSPITAL_MANAGER: {
        P.VIEW_DASHBOARD, P.VIEW_REPORTS, P.SUBMIT_REPORTS, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.VIEW_EMERGENCY,
        P.VIEW_SURVEILLANCE, P.REPORT_CASES, P.VIEW_BOOKINGS, P.MANAGE_SCHEDULES, P.RECEIVE_PATIENTS, *_WORK,
    },
    Role.SECURITY: {
        P.VIEW_DASHBOARD, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.VIEW_CAMERAS, P.MANAGE_CAMERAS, P.MANAGE_WATCHLIST,
    },
    Role.DISPATCHER: {
        P.VIEW_DASHBOARD, P.VIEW_REPORTS, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.VIEW_EMERGENCY, P.DISPATCH,
        P.UPDATE_VEHICLES,
    },
    Role.EPIDEMIOLOGIST: {
        P.VIEW_DASHBOARD, P.VIEW_REPORTS, P.VIEW_ALERTS, P.HANDLE_ALERTS, P.VIEW_SURVEILLANCE, P.REPORT_CASES,
        P.VIEW_CASE_DETAILS, *_WORK,
    },
    Role.CLERK: {P.VIEW_DOCUMENTS, P.REGISTER_DOCUMENTS, P.MANAGE_MEETINGS, P.ATTEND_MEETINGS},
    Role.ADMIN: _ALL,
}
