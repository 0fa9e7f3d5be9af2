from django.conf import settings
from django.http import HttpRequest

from opscenter.org.roles import Perm


def site(request: HttpRequest) -> dict:
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }


def navigation(request: HttpRequest) -> dict:
    """`may.<perm>`: what this user may do somewhere in scope, so pages show only usable links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    return {"may": {perm.value: user.has_perm_in(perm) for perm in Perm}}
