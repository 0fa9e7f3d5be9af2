from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .roles import Perm

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
