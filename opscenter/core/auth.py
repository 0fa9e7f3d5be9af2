"""Authentication for the JSON API: bearer tokens for machine clients, the session for people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

if TYPE_CHECKING:
    from opscenter.org.models import User


class AuthedRequest(HttpRequest):
    """The request of a view or API operation behind authentication: its user is a real User."""

    user: User  # type: ignore[assignment]


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from opscenter.org.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.auth_via_token = True  # type: ignore[attr-defined]
        return user


def bearer_user(request: HttpRequest) -> Any:
    """The user of an `Authorization: Bearer` header, or the session's; None if neither."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return TokenAuth().authenticate(request, header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


API_AUTH = [TokenAuth(), SessionAuth()]
