"""Permission checks shared by views and API handlers: the one scope layer.

Two questions, answered in two places:
- may this role do this at all? Every API operation and page declares it with `needs(...)` /
  `perm_required(...)` (the declaration is checked on entry, and the scope-matrix test reads it);
- which objects? Each handler reads through its model's scoped query (`User.scope_filter`, or the app's
  `visible…(user)` helper built on it), so an object outside the caller's units is simply not found (404).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# A permission is an `org.roles.Perm` value, a str: core sits below org and names no roles.
Perm = str
Requirement = Perm | tuple[Perm, ...]  # one permission, or several needed together


@dataclass(frozen=True)
class ScopeRule:
    """What an operation needs: a logged-in user holding one of the `alternatives` (each a set of permissions
    needed together). No alternative named: any logged-in user, who then reaches only their own things (their
    notifications, their own account)."""

    alternatives: tuple[frozenset[Perm], ...]
    public: bool = False  # open to anyone, signed in or not (`public`)

    @classmethod
    def of(cls, requirements: tuple[Requirement, ...]) -> ScopeRule:
        return cls(tuple(frozenset(r if isinstance(r, tuple) else (r,)) for r in requirements))

    def allows(self, user: Any) -> bool:
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return not self.alternatives or any(all(user.has_perm_in(p) for p in group) for group in self.alternatives)


def scope_rule(view: Callable[..., Any]) -> ScopeRule | None:
    """The rule a view or API operation declared (through any further decorators), or None."""
    while view is not None:
        rule = getattr(view, "scope_rule", None)
        if isinstance(rule, ScopeRule):
            return rule
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None


def may_open(user: Any, path: str) -> bool:
    """May `user` open this page of the site (by the rule its view declared)? For links to show or leave out."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    rule = scope_rule(match.func)
    return rule is None or rule.allows(user)


def require(user: Any, perm: Perm, unit: Any = None) -> None:
    """Raise PermissionDenied (403) unless `user` may do `perm` (on `unit`, if given)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_in(perm, unit):
        raise PermissionDenied


def needs(*requirements: Requirement) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and check what an API operation needs: one of `requirements`, each a permission or a tuple of
    permissions needed together (none: any logged-in user). Put it right above the `def` (below
    `@router.get(...)` and `@paginate`)."""
    rule = ScopeRule.of(requirements)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not rule.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # ninja reads the signature (and resolves its annotations) from the function it is given.
        wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        wrapped.scope_rule = rule  # type: ignore[attr-defined]
        return wrapped

    return decorate


def perm_required(*requirements: Requirement) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for pages: logged in (else to the login page) and holding one of `requirements` (as `needs`)
    somewhere in scope."""
    rule = ScopeRule.of(requirements)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not rule.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.scope_rule = rule  # type: ignore[attr-defined]
        return wrapped

    return decorate


def login_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for any logged-in user (showing only their own things, or only what their scope holds)."""
    return perm_required()(view)


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare an API operation or page open to anyone, signed in or not (the citizen portal). It answers only
    what is public (facilities' services and free times) or what the caller proves is theirs (a code sent to
    their phone; a booking code with the phone it was made with). API operations also need `auth=None`."""
    view.scope_rule = ScopeRule((), public=True)  # type: ignore[attr-defined]
    # ninja reads the signature (and resolves its annotations) from the function, as under `needs`.
    view.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    return view
