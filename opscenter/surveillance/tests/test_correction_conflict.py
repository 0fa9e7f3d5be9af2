"""No lost update on case corrections: a correction based on an older version of the case than the stored one
is refused (409) with what changed since (from the case's history); one based on the current version is kept."""

import pytest

from opscenter.org.roles import Role
from opscenter.surveillance.models import Case

from .test_api import case_payload, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_id(api_client, today):
    return post(api_client(Role.REPORTER), "/cases", case_payload(today)).json()["case"]["id"]


def correct(client, case_id, changes, **extra):
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    body = {"changes": changes, "reason": "lab result", **{k: v for k, v in extra.items() if k not in headers}}
    return post(client, f"/cases/{case_id}/corrections", body, **headers)


def test_a_correction_from_an_older_version_is_refused_with_what_changed(api_client, case_id):
    epi, reporter = api_client(Role.EPIDEMIOLOGIST), api_client(Role.REPORTER)
    assert correct(reporter, case_id, {"classification": "confirmed", "hospitalised": True},
                   base_version=1).json()["version"] == 2
    assert correct(reporter, case_id, {"outcome": "recovered"}, base_version=2).json()["version"] == 3

    stale = correct(epi, case_id, {"classification": "suspected"}, base_version=1)
    assert stale.status_code == 409
    body = stale.json()
    assert (body["base_version"], body["current_version"]) == (1, 3)
    changes = {c["field"]: (c["base"], c["stored"], c["yours"]) for c in body["changes"]}
    assert changes["classification"] == ("probable", "confirmed", "suspected")
    assert changes["hospitalised"] == (False, True, True)
    assert set(changes) == {"classification", "hospitalised", "outcome"}
    assert Case.objects.get(pk=case_id).classification == "confirmed"

    by_header = correct(epi, case_id, {"classification": "suspected"}, HTTP_IF_MATCH='"2"')
    assert by_header.status_code == 409
    ok = correct(epi, case_id, {"classification": "suspected"}, HTTP_IF_MATCH='"3"')
    assert ok.status_code == 200 and ok.json()["version"] == 4


def test_a_correction_without_a_base_version_is_as_before(api_client, case_id):
    epi = api_client(Role.EPIDEMIOLOGIST)
    assert correct(epi, case_id, {"classification": "confirmed"}).json()["version"] == 2
    assert correct(epi, case_id, {"age_years": 35}).json()["version"] == 3
