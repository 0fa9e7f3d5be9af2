"""Permission checks shared by views and API handlers."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from opscenter.org.roles import Perm


def require(user: Any, perm: Perm, unit: Any = None) -> None:
    """Raise PermissionDenied (403) unless `user` may do `perm` (on `unit`, if given)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_in(perm, unit):
        raise PermissionDenied


def perm_required(perm: Perm):
    """Decorator for views: logged in and holding `perm` somewhere in scope."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
