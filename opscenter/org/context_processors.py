from django.http import HttpRequest

from .roles import Perm


def navigation(request: HttpRequest) -> dict:
    """`may.<perm>`: what this user may do somewhere in scope, so pages show only usable links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    return {"may": {perm.value: user.has_perm_in(perm) for perm in Perm}}
