from django.http import HttpRequest
from django.utils.translation import gettext as _

from .roles import Perm


def navigation(request: HttpRequest) -> dict:
    """`may.<perm>`: what this user may do somewhere in scope, so pages show only usable links; `scope_name`:
    what the pages show, in words ('the whole city', or the user's unit), for titles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    unit = user.unit
    whole_city = unit is not None and unit.parent_id is None
    return {
        "may": {perm.value: user.has_perm_in(perm) for perm in Perm},
        "whole_city": whole_city,
        "scope_name": _("the whole city") if whole_city else str(unit or ""),
    }
