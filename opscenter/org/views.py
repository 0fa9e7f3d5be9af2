from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .roles import Perm, Role

# Where each role's work is: the page it lands on after logging in.
ROLE_HOME: dict[str, tuple[Perm, str]] = {
    Role.DISPATCHER: (Perm.VIEW_EMERGENCY, "emergency:dispatch"),
    Role.SECURITY: (Perm.VIEW_CAMERAS, "vision:wall"),
    Role.REPORTER: (Perm.SUBMIT_REPORTS, "reporting:submit"),
    Role.EPIDEMIOLOGIST: (Perm.VIEW_SURVEILLANCE, "surveillance:epidemic"),
    Role.CLERK: (Perm.VIEW_DOCUMENTS, "work:documents"),
}
# Anyone else (or a role whose own page it may not open): the first page in this list that it may open.
HOME_PAGES = [
    (Perm.VIEW_DASHBOARD, "dashboard:overview"),
    (Perm.SUBMIT_REPORTS, "reporting:submit"),
    (Perm.HANDLE_DIRECTIVES, "work:index"),
    (Perm.VIEW_DOCUMENTS, "work:index"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = ROLE_HOME.get(user.role)  # type: ignore[union-attr]
    for perm, page in [own, *HOME_PAGES] if own else HOME_PAGES:
        if user.has_perm_in(perm):  # type: ignore[union-attr]
            return redirect(page)
    raise PermissionDenied
