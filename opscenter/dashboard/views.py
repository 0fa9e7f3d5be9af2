from django.http import HttpRequest, HttpResponse

from opscenter.core.permissions import perm_required
from opscenter.org.roles import Perm


@perm_required(Perm.VIEW_DASHBOARD)
def overview(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")
