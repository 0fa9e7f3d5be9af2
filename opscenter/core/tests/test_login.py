"""Logging in through the login page: a lockout after repeated failures per username and client address,
said on the page, and every failure in the audit log; machine clients with tokens are not concerned."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client

from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.testing import PASSWORD


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return 5


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_after_the_limit_even_the_right_password_is_refused_and_the_page_says_why(city, limit):
    user = city.user(Role.OPERATOR, "-")
    client = Client(headers={"Accept-Language": "en"})
    for _ in range(limit - 1):
        assert _login(client, user.username, "wrong").status_code == 200
    locked = _login(client, user.username, "wrong")
    assert locked.status_code == 429
    page = _login(client, user.username, PASSWORD)
    assert page.status_code == 429 and not _logged_in(client)
    text = page.content.decode()
    assert "Too many failed sign-in attempts" in text and "15 minutes" in text and 'role="alert"' in text
    # Vietnamese is the default language: the page comes in it, with the same form.
    vi = _login(Client(), user.username, PASSWORD)
    assert vi.status_code == 429 and 'lang="vi"' in vi.content.decode()


def test_the_lockout_is_per_username_and_address_and_ends_after_the_cool_off(city, limit):
    user = city.user(Role.OPERATOR, "-")
    for _ in range(limit):
        _login(Client(), user.username, "wrong", ip="10.0.0.1")
    assert _login(Client(), user.username, PASSWORD, ip="10.0.0.1").status_code == 429
    other_place = Client()
    assert _login(other_place, user.username, PASSWORD, ip="10.0.0.2").status_code == 302
    assert _logged_in(other_place)
    other_user = Client()
    assert _login(other_user, city.user(Role.LEADER, "-").username, PASSWORD, ip="10.0.0.1").status_code == 302
    # The cool-off passes (the attempts are older than it): the right password works again.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    back = Client()
    assert _login(back, user.username, PASSWORD, ip="10.0.0.1").status_code == 302 and _logged_in(back)


def test_thirty_wrong_passwords_do_not_open_the_door(city, limit):
    user = city.user(Role.ADMIN, "-")
    client = Client()
    for _ in range(30):
        _login(client, user.username, "guess")
    assert _login(client, user.username, PASSWORD).status_code == 429 and not _logged_in(client)


def test_the_admin_login_is_throttled_too(city, limit):
    user = city.user(Role.ADMIN, "-")
    user.is_staff = True
    user.save()
    client = Client()
    for _ in range(limit):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429 and not _logged_in(client)


def test_failed_logins_are_audited_with_username_and_address_never_the_password(city, limit):
    user = city.user(Role.OPERATOR, "-")
    _login(Client(), user.username, "s3cret-guess", ip="192.0.2.7")
    _login(Client(), "nobody", "another-guess", ip="192.0.2.8")
    entries = list(AuditLog.objects.filter(action="auth.login.failed").order_by("pk"))
    assert [(e.data["username"], e.data["ip"]) for e in entries] == [(user.username, "192.0.2.7"),
                                                                     ("nobody", "192.0.2.8")]
    assert all("guess" not in str(e.data) and "guess" not in e.actor_label for e in entries)
    _login(Client(), user.username, PASSWORD, ip="192.0.2.7")
    assert AuditLog.objects.filter(action="auth.login.failed").count() == 2  # a success is no failure


def test_tokens_and_test_logins_are_not_concerned(city, limit):
    user = city.user(Role.REPORTER)
    _, key = issue_token("test", user, "HIS")
    for _ in range(limit + 2):
        _login(Client(), user.username, "wrong")
    assert _login(Client(), user.username, PASSWORD).status_code == 429
    # The machine client of that user goes on; many bad tokens lock nobody out.
    for _ in range(limit + 2):
        assert Client().get("/api/org/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert Client().get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # Programmatic logins without a request (the test client's, a shell's) are checked by password only.
    client = Client()
    assert client.login(username=city.user(Role.OPERATOR, "-").username, password=PASSWORD)
    assert not Client().login(username=city.user(Role.OPERATOR, "-").username, password="wrong")


def test_the_lockout_page_comes_through_the_asgi_server_too(city, limit):
    """Production runs under ASGI, where django-axes takes its asynchronous path."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    user = city.user(Role.OPERATOR, "-")
    client = AsyncClient()  # the default language: the message must be translated
    post = async_to_sync(client.post)
    for _ in range(limit):
        post("/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    response = post("/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429 and "Đăng nhập sai quá nhiều lần" in response.content.decode()
