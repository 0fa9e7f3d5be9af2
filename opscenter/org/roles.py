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
    ADMIN = "admin", _("System administrator")


class Perm(models.TextChoices):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_REPORTS = "view_reports"
    SUBMIT_REPORTS = "submit_reports"
    VIEW_ALERTS = "view_alerts"
    HANDLE_ALERTS = "handle_alerts"
    MANAGE_DATASETS = "manage_datasets"
    MANAGE_UNITS = "manage_units"
    VIEW_AUDIT = "view_audit"


_ALL = set(Perm)
ROLE_PERMS: dict[str, set[Perm]] = {
    Role.OPERATOR: {
        Perm.VIEW_DASHBOARD, Perm.VIEW_REPORTS, Perm.VIEW_ALERTS, Perm.HANDLE_ALERTS, Perm.SUBMIT_REPORTS,
    },
    Role.LEADER: {Perm.VIEW_DASHBOARD, Perm.VIEW_REPORTS, Perm.VIEW_ALERTS, Perm.HANDLE_ALERTS, Perm.VIEW_AUDIT},
    Role.REPORTER: {Perm.VIEW_REPORTS, Perm.SUBMIT_REPORTS},
    Role.HOSPITAL_MANAGER: {
        Perm.VIEW_DASHBOARD, Perm.VIEW_REPORTS, Perm.SUBMIT_REPORTS, Perm.VIEW_ALERTS, Perm.HANDLE_ALERTS,
    },
    Role.SECURITY: {Perm.VIEW_DASHBOARD, Perm.VIEW_ALERTS, Perm.HANDLE_ALERTS},
    Role.DISPATCHER: {Perm.VIEW_DASHBOARD, Perm.VIEW_REPORTS, Perm.VIEW_ALERTS, Perm.HANDLE_ALERTS},
    Role.ADMIN: _ALL,
}
