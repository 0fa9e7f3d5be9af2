"""Live updates end to end: a report submitted over HTTP reaches a connected SSE client."""

import contextlib
import json
import threading

import httpx
from django.test import Client

from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.testing import report_payload


def session_cookie(user) -> dict[str, str]:
    django_client = Client()
    django_client.force_login(user)
    return {"sessionid": django_client.cookies["sessionid"].value}


def test_report_and_alert_reach_the_sse_client_in_scope(asgi_server, city):
    _token, key = issue_token("test", city.user(Role.REPORTER), "HIS")
    received: dict[str, list[dict]] = {"operator": [], "manager_b": []}
    ready = {name: threading.Event() for name in received}

    users = {"operator": city.user(Role.OPERATOR), "manager_b": city.user(Role.HOSPITAL_MANAGER, "B")}
    cookies = {name: session_cookie(user) for name, user in users.items()}

    def listen(username: str) -> None:
        # The stream of the one who hears nothing ends when the server stops, or when this client stops waiting.
        with contextlib.suppress(httpx.RemoteProtocolError, httpx.ReadTimeout):
            _listen(username)

    def _listen(username: str) -> None:
        with (
            httpx.Client(timeout=10, cookies=cookies[username]) as client,
            client.stream("GET", f"{asgi_server}/events/stream") as stream,
        ):
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            kind = None
            for line in stream.iter_lines():
                ready[username].set()
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    received[username].append({"kind": kind, **json.loads(line[6:])})
                    if kind == "alert.raised":
                        return

    threads = [threading.Thread(target=listen, args=(name,), daemon=True) for name in received]
    for t in threads:
        t.start()
    for event in ready.values():
        assert event.wait(10)
    response = httpx.post(f"{asgi_server}/api/reporting/reports", json=report_payload(icu_total=20, icu_occupied=20),
                          headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    threads[0].join(timeout=10)
    kinds = [e["kind"] for e in received["operator"]]
    assert kinds[:2] == ["report.submitted", "alert.raised"]
    assert received["operator"][0]["unit"] == "BV-A"
    assert received["operator"][0]["payload"]["values"]["beds_icu_occupied"] == 20
    # A manager of hospital B is outside hospital A's scope: the stream shows them nothing of it.
    assert received["manager_b"] == []


def test_event_stream_needs_login(asgi_server):
    assert httpx.get(f"{asgi_server}/events/stream").status_code == 401


def test_event_stream_refuses_roles_without_a_live_view(asgi_server, city):
    cookies = session_cookie(city.user(Role.REPORTER))
    assert httpx.get(f"{asgi_server}/events/stream", cookies=cookies).status_code == 403
