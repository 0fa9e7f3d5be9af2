"""No lost update on assignment: assigning from a page (or API view) that showed another assignee than the one
stored now is refused, naming who has the alert; the workflow steps themselves refuse a second go (409)."""

from __future__ import annotations

import re

import pytest

from opscenter.alerts.models import Alert
from opscenter.org.roles import Role

from .test_views import alerts  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def shown_assignee(html: str) -> str:
    found = re.search(r'name="current_assignee" value="([^"]*)"', html)
    assert found, "the assign form says whom the page showed"
    return found.group(1)


def test_assigning_from_a_stale_page_is_refused_naming_the_new_assignee(api_client, city, alerts):  # noqa: F811
    pk = alerts["a"].pk
    first, second = api_client(Role.OPERATOR, language="en"), api_client(Role.LEADER, language="en")
    seen_by_first = shown_assignee(first.get(f"/alerts/{pk}/").content.decode())
    seen_by_second = shown_assignee(second.get(f"/alerts/{pk}/").content.decode())
    assert seen_by_first == seen_by_second == ""
    manager = city.user(Role.HOSPITAL_MANAGER, "A")
    leader = city.user(Role.LEADER)

    done = first.post(f"/alerts/{pk}/assign/", {"assignee": manager.username, "current_assignee": seen_by_first})
    assert done.status_code == 302 and Alert.objects.get(pk=pk).assignee == manager
    refused = second.post(f"/alerts/{pk}/assign/", {"assignee": leader.username, "current_assignee": seen_by_second},
                          follow=True)
    assert f"assigned to {manager.username}" in refused.content.decode()
    assert Alert.objects.get(pk=pk).assignee == manager

    # From the page as it is now, the change is deliberate and goes through.
    now_shown = shown_assignee(second.get(f"/alerts/{pk}/").content.decode())
    assert now_shown == manager.username
    second.post(f"/alerts/{pk}/assign/", {"assignee": leader.username, "current_assignee": now_shown})
    assert Alert.objects.get(pk=pk).assignee == leader


def test_api_assignment_with_a_stale_expected_assignee_is_a_409(api_client, city, alerts):  # noqa: F811
    pk = alerts["a"].pk
    operator = api_client(Role.OPERATOR)
    ok = operator.post(f"/api/alerts/{pk}/assign", {"username": "hospital_manager_a", "expected_assignee": ""},
                       content_type="application/json")
    assert ok.status_code == 200
    stale = operator.post(f"/api/alerts/{pk}/assign", {"username": "leader", "expected_assignee": ""},
                          content_type="application/json")
    assert stale.status_code == 409 and "hospital_manager_a" in stale.json()["detail"]
    same = operator.post(f"/api/alerts/{pk}/assign", {"username": "hospital_manager_a", "expected_assignee": ""},
                         content_type="application/json")
    assert same.status_code == 200  # both chose the same person: nothing is lost


def test_acknowledging_or_resolving_twice_is_a_409(api_client, alerts):  # noqa: F811
    pk = alerts["a"].pk
    one, two = api_client(Role.OPERATOR), api_client(Role.LEADER)
    assert one.post(f"/api/alerts/{pk}/acknowledge", {}, content_type="application/json").status_code == 200
    assert two.post(f"/api/alerts/{pk}/acknowledge", {}, content_type="application/json").status_code == 409
    assert one.post(f"/api/alerts/{pk}/resolve", {}, content_type="application/json").status_code == 200
    assert two.post(f"/api/alerts/{pk}/resolve", {"resolution": "false_alarm"},
                    content_type="application/json").status_code == 409
    assert Alert.objects.get(pk=pk).resolution == "handled"
