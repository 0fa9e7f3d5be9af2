"""Authentication: bearer tokens for machine clients, the session for people, and the login throttle.

One rule for every endpoint: a request that carries `Authorization: Bearer …` is judged by its token
alone; a bad, expired or revoked token is refused (401) and never replaced by the session cookie.
Without a bearer header the session counts, but a browser's cookie must not make a state-changing
request on its own: the JSON API checks the CSRF token for it, and the FHIR endpoints (machine
endpoints, exempt from CSRF) accept the session only for reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

if TYPE_CHECKING:
    from opscenter.org.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_TOKEN = "invalid, expired or revoked API token"


class InvalidToken(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(401, INVALID_TOKEN)


class AuthedRequest(HttpRequest):
    """The request of a view or API operation behind authentication: its user is a real User."""

    user: User  # type: ignore[assignment]


def bearer_token(request: HttpRequest) -> str | None:
    """The key of an `Authorization: Bearer <key>` header ("" if empty), None without one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


# Who holds an API key: the org app plugs its lookup in when it starts (OrgConfig.ready), so that core, below
# org, needs no user model.
_token_lookup: Callable[[str], User | None] | None = None


def register_token_lookup(lookup: Callable[[str], User | None]) -> None:
    global _token_lookup
    _token_lookup = lookup


def token_user(request: HttpRequest, key: str) -> User | None:
    if _token_lookup is None:
        raise ImproperlyConfigured("no API token lookup registered (is opscenter.org installed?)")
    user = _token_lookup(key) if key else None
    if user is not None:
        request.user = user
        request.auth_via_token = True  # type: ignore[attr-defined]
    return user


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        key = bearer_token(request)
        if key is None:
            return None  # no bearer header: the session may answer
        user = token_user(request, key)
        if user is None:
            raise InvalidToken()  # stops here: no fallback to the session
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - __call__ decides
        return token_user(request, token)


class SessionAuth(NinjaSessionAuth):
    """Ninja's session auth (CSRF-checked on unsafe methods), consulted only without a bearer header and
    for a logged-in user, so that a stranger gets 401, not a CSRF complaint."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if bearer_token(request) is not None or user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


def bearer_user(request: HttpRequest) -> Any:
    """The user of a machine endpoint (FHIR): the bearer token's, else the session's on safe methods
    only (these endpoints skip CSRF, so a session must not write through them). None if neither."""
    key = bearer_token(request)
    if key is not None:
        return token_user(request, key)
    user = getattr(request, "user", None)
    if request.method not in SAFE_METHODS or user is None or not user.is_authenticated:
        return None
    return user


API_AUTH = [TokenAuth(), SessionAuth()]


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout (AXES_* settings), for logins that come with a request. Callers without one
    (the test client's `login`, a shell) have no client address to throttle and pass through to the
    password check."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def login_locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a login while locked out (AXES_LOCKOUT_CALLABLE): the login page again,
    saying why and for how long, with 429. The password is not checked then, right or wrong."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed sign-in attempts. This account is locked on this computer for %(minutes)d minute; "
        "try again later or ask an administrator to unlock it.",
        "Too many failed sign-in attempts. This account is locked on this computer for %(minutes)d minutes; "
        "try again later or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "registration/login.html",
                  {"form": form, "lockout": message, "next": request.POST.get("next", "")}, status=429)


@receiver(user_login_failed, dispatch_uid="opscenter.core.auth.audit_failed_login")
def audit_failed_login(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                       **kwargs: Any) -> None:
    """Every failed login in the audit log: the username tried and the client address, never the password."""
    from opscenter.core import audit

    audit.record("anonymous", "auth.login.failed", username=str(credentials.get("username", ""))[:150],
                 ip=get_client_ip_address(request) if request is not None else "",
                 locked_out=bool(getattr(request, "axes_locked_out", False)))
