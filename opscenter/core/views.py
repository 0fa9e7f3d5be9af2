from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from opscenter.org.roles import Perm


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Where each person starts: the first page in this list that the user may open.
HOME_PAGES = [
    (Perm.VIEW_DASHBOARD, "dashboard:overview"),
    (Perm.SUBMIT_REPORTS, "reporting:submit"),
    (Perm.HANDLE_DIRECTIVES, "work:index"),
    (Perm.VIEW_DOCUMENTS, "work:index"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    for perm, page in HOME_PAGES:
        if request.user.has_perm_in(perm):  # type: ignore[union-attr]
            return redirect(page)
    raise PermissionDenied
