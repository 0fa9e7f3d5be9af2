from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .roles import Perm


def navigation(request: HttpRequest) -> dict:
    """`may.<perm>`: what this user may do somewhere in scope, so pages show only usable links; `scope_name`:
    what the pages show, in words ('the whole city', or the user's unit), for titles; `site_language`: the
    language of texts the system stores once (alert titles, notifications), for their `lang` attribute."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}, "site_language": settings.LANGUAGE_CODE}
    unit = user.unit
    whole_city = unit is not None and unit.parent_id is None
    return {
        "may": {perm.value: user.has_perm_in(perm) for perm in Perm},
        "site_language": settings.LANGUAGE_CODE,
        "whole_city": whole_city,
        "scope_name": _("the whole city") if whole_city else str(unit or ""),
    }
