"""The hospitals' side of booking: the day's list at the desk (check-in by the booking code, no-shows)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.core.permissions import perm_required
from opscenter.core.ui import page, parse_date, show_failure
from opscenter.org.roles import Perm

from . import queries, services
from .models import Appointment


@perm_required(Perm.RECEIVE_PATIENTS, Perm.VIEW_BOOKINGS)
def desk(request: AuthedRequest) -> HttpResponse:
    """The day's bookings of the facilities in the user's scope: check-in by the booking code (a scanner types
    it), no-shows once the time has passed."""
    day = parse_date(request.GET.get("day"), timezone.localdate())
    found = list(queries.desk_day(request.user, day).select_related("slot__schedule"))
    counts = {status: sum(1 for a in found if a.status == status) for status, _label in Appointment.Status.choices}
    return page(request, "booking/desk.html", {
        "day": day, "appointments": found, "counts": counts, "checked_in": counts[Appointment.Status.CHECKED_IN],
        "now": timezone.now(),
        "may_receive": request.user.has_perm_in(Perm.RECEIVE_PATIENTS), "today": day == timezone.localdate()})


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_check_in(request: AuthedRequest) -> HttpResponse:
    code = request.POST.get("code", "")
    try:
        found = services.check_in(request.user, code)
    except ValidationFailed as exc:
        show_failure(request, exc)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s checked in: number %(n)s") % {"name": found.name,
                                                                            "n": found.queue_number})
    return redirect("booking:desk")


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_no_show(request: AuthedRequest, code: str) -> HttpResponse:
    appointment = get_object_or_404(queries.desk_day(request.user, timezone.localdate()), code=code)
    try:
        services.mark_no_show(request.user, appointment)
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect("booking:desk")
