"""API tokens as an administrator issues them and as machine clients use them: a key shown once, an expiry,
and one answer (401) for a bad, expired or revoked token on every method of the JSON API and FHIR."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from opscenter.core.models import AuditLog
from opscenter.org.models import ApiToken
from opscenter.org.roles import Role
from opscenter.org.services import issue_token

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
FHIR_PATHS = ["/fhir/MeasureReport", "/fhir/MeasureReport/1", "/surveillance/fhir/Bundle", "/fhir/", "/fhir/metadata",
              "/fhir/Measure/HOSP_DAILY", "/fhir/Measure", "/fhir/CodeSystem/bed-type", "/fhir/CodeSystem"]


@pytest.fixture
def admin_client(city):
    admin = city.user(Role.ADMIN, "-")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    return client


def _issue_in_admin(admin_client, user, name="HIS", expires_at=""):
    response = admin_client.post("/admin/org/apitoken/add/", {"user": user.pk, "name": name,
                                                               "expires_at_0": expires_at[:10],
                                                               "expires_at_1": expires_at[11:19]}, follow=True)
    assert response.status_code == 200, response.content
    found = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", response.content.decode())
    assert found, "the key is shown after saving"
    return found.group(1), response


def _me(key):
    return Client().get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_admin_issues_a_key_once_and_it_works(city, admin_client):
    reporter = city.user(Role.REPORTER)
    in_a_month = (timezone.localtime() + dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    key, _ = _issue_in_admin(admin_client, reporter, expires_at=in_a_month)
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash(key) and token.prefix == key[:8]
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=5)
    assert _me(key).json()["username"] == reporter.username
    assert AuditLog.objects.filter(action="org.token.issued", object_id=str(token.pk)).exists()
    # A second token for the same user is just another token (it was a 500 on the empty stored key).
    second, _ = _issue_in_admin(admin_client, reporter, name="HIS backup", expires_at=in_a_month)
    assert second != key and ApiToken.objects.count() == 2
    # Shown once: neither the list nor the token's page ever shows the key again.
    for url in ("/admin/org/apitoken/", f"/admin/org/apitoken/{token.pk}/change/"):
        assert key not in admin_client.get(url).content.decode()


def test_the_admin_gives_the_default_expiry_and_refuses_one_in_the_past(city, admin_client, settings):
    settings.API_TOKEN_DAYS = 365
    form = admin_client.get("/admin/org/apitoken/add/").content.decode()
    assert (timezone.localtime() + dt.timedelta(days=365)).date().isoformat() in form
    response = admin_client.post("/admin/org/apitoken/add/", {
        "user": city.user(Role.REPORTER).pk, "name": "HIS", "expires_at_0": "2020-01-01", "expires_at_1": "00:00:00",
    })
    assert response.status_code == 200 and "must lie in the future" in response.content.decode()
    assert not ApiToken.objects.exists()
    _, key = issue_token("test", city.user(Role.REPORTER), "shell")  # the service applies the same default
    token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
    assert abs(token.expires_at - (token.created_at + dt.timedelta(days=365))) < dt.timedelta(minutes=1)


def test_nothing_about_an_issued_token_can_change_but_its_revocation(city, admin_client):
    token, key = issue_token("test", city.user(Role.REPORTER), "HIS")
    page = admin_client.get(f"/admin/org/apitoken/{token.pk}/change/").content.decode()
    editable = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', page))
    assert editable - {"csrfmiddlewaretoken"} <= {"revoked", "_save", "_continue", "_addanother"}
    response = admin_client.post(f"/admin/org/apitoken/{token.pk}/change/", {
        "revoked": "on", "name": "renamed", "key_hash": "0" * 64, "prefix": "x", "user": city.user(Role.ADMIN, "-").pk,
    })
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked and token.name == "HIS" and token.key_hash == ApiToken.hash(key)
    assert token.user == city.user(Role.REPORTER)
    assert AuditLog.objects.filter(action="org.token.revoked", object_id=str(token.pk)).exists()
    assert _me(key).status_code == 401
    assert admin_client.post(f"/admin/org/apitoken/{token.pk}/delete/").status_code == 403  # revoke, not delete


def test_the_list_action_revokes(city, admin_client):
    token, key = issue_token("test", city.user(Role.REPORTER), "HIS")
    response = admin_client.post("/admin/org/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert _me(key).status_code == 401


def test_last_use_is_kept(city):
    token, key = issue_token("test", city.user(Role.REPORTER), "HIS")
    assert token.last_used_at is None
    assert _me(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < dt.timedelta(minutes=5)


def _bad_tokens(city):
    """A garbage key, an expired token's and a revoked token's: (label, key)."""
    user = city.user(Role.REPORTER)
    _, expired = issue_token("test", user, "expired")
    ApiToken.objects.filter(key_hash=ApiToken.hash(expired)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked_token, revoked = issue_token("test", user, "revoked")
    ApiToken.objects.filter(pk=revoked_token.pk).update(revoked=True)
    return [("garbage", "not-a-token"), ("empty", ""), ("expired", expired), ("revoked", revoked)]


def _api_operations():
    from opscenter.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


def test_every_json_api_operation_refuses_a_bad_token_with_401_even_with_a_session(city, api_client):
    operations = list(_api_operations())
    assert {m for m, _ in operations} >= {"GET", "POST"} and len(operations) > 20
    # A logged-in browser must not lend its session to a request that brings a bearer token.
    client = api_client(Role.OPERATOR)
    for label, key in _bad_tokens(city):
        for method, path in operations:
            response = client.generic(method, path, "{}", content_type="application/json",
                                      HTTP_AUTHORIZATION=f"Bearer {key}")
            assert response.status_code == 401, (label, method, path, response.content)
            assert response.json() == {"detail": "invalid, expired or revoked API token"}, (label, method, path)


@pytest.mark.parametrize("path", FHIR_PATHS)
def test_every_fhir_endpoint_refuses_a_bad_token_on_every_method(city, api_client, path):
    client = api_client(Role.REPORTER)  # with a session too: no fallback
    for label, key in _bad_tokens(city):
        for method in METHODS:
            response = client.generic(method, path, "{}", content_type="application/fhir+json",
                                      HTTP_AUTHORIZATION=f"Bearer {key}")
            assert response.status_code == 401, (label, method, path)
            body = response.json()
            assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "login"
            assert response["WWW-Authenticate"] == "Bearer"


def test_without_any_credentials_the_api_says_401_not_csrf(db):
    for method in METHODS:
        response = Client(enforce_csrf_checks=True).generic(method, "/api/reporting/reports", "{}",
                                                            content_type="application/json")
        assert response.status_code in (401, 405), (method, response.content)
        if response.status_code == 401:
            assert response.json() == {"detail": "Authentication required"}


def test_an_inactive_users_token_is_refused(city):
    user = city.user(Role.REPORTER)
    _, key = issue_token("test", user, "HIS")
    user.is_active = False
    user.save()
    assert _me(key).status_code == 401
