"""Alert evaluation is durable: an event committed is evaluated exactly once, whatever dies in between."""

import pytest

from opscenter.alerts import rules
from opscenter.core import outbox
from opscenter.core.models import OutboxEntry
from opscenter.core.tasks import deliver_event, sweep_outbox
from opscenter.org.roles import Role
from opscenter.testing import report_payload

JSON = "application/json"


@pytest.fixture(autouse=True)
def _sweep_at_once(settings):
    settings.OUTBOX_RETRY_SECONDS = 0  # what is pending now counts as left behind


def submit_full_icu(api_client, unit="BV-A"):
    response = api_client(Role.REPORTER, unit[-1]).post(
        "/api/reporting/reports", report_payload(unit=unit, icu_total=20, icu_occupied=20), content_type=JSON)
    assert response.status_code == 201, response.content


def open_alerts(api_client) -> list[dict]:
    return api_client(Role.OPERATOR).get("/api/alerts?open=true").json()["items"]


def test_an_event_whose_evaluation_never_ran_is_evaluated_by_the_sweep_exactly_once(api_client, monkeypatch):
    # The process dies between the commit of the report and the evaluation of the rules.
    with monkeypatch.context() as crash:
        crash.setattr(outbox, "deliver_soon", lambda entry_id: None)
        submit_full_icu(api_client)
    assert open_alerts(api_client) == []
    assert OutboxEntry.objects.filter(done_at=None).count() == 1

    assert sweep_outbox.apply().get() == 1
    alerts = open_alerts(api_client)
    assert [(a["kind"], a["unit"]) for a in alerts] == [("bed_occupancy", "BV-A")]
    # Delivered again (a second sweep, the task redelivered after its worker was lost): nothing changes.
    entry = OutboxEntry.objects.get()
    assert sweep_outbox.apply().get() == 0
    assert deliver_event.apply(args=[entry.pk]).get() is False
    detail = api_client(Role.OPERATOR).get(f"/api/alerts/{alerts[0]['id']}").json()
    assert detail["occurrences"] == 1 and len(open_alerts(api_client)) == 1


def test_an_evaluation_that_dies_midway_leaves_nothing_and_is_run_again(api_client, monkeypatch):
    raise_alert = rules.raise_alert

    def raise_then_die(candidate):
        raise_alert(candidate)
        raise RuntimeError("worker lost")

    with monkeypatch.context() as crash:
        crash.setattr(rules, "raise_alert", raise_then_die)
        submit_full_icu(api_client)
    assert open_alerts(api_client) == []  # the half-done evaluation was rolled back with its entry's mark
    entry = OutboxEntry.objects.get()
    assert entry.done_at is None and entry.attempts == 1 and "worker lost" in entry.last_error

    assert sweep_outbox.apply().get() == 1
    alerts = open_alerts(api_client)
    assert len(alerts) == 1 and alerts[0]["kind"] == "bed_occupancy"
    assert api_client(Role.OPERATOR).get(f"/api/alerts/{alerts[0]['id']}").json()["occurrences"] == 1


def test_in_the_embedded_default_the_alert_is_there_when_the_report_is_answered(api_client):
    submit_full_icu(api_client)
    assert [a["kind"] for a in open_alerts(api_client)] == ["bed_occupancy"]
    assert OutboxEntry.objects.filter(done_at=None).count() == 0


def test_only_events_a_rule_reads_go_through_the_outbox(api_client, city, today):
    import datetime as dt

    from opscenter.reporting import services as reporting
    from opscenter.reporting.definitions import HOSPITAL_DAILY

    # A report of last year (history being loaded) is read by no rule: no outbox row for it.
    reporting.submit_many("test", [reporting.Submission(
        data_set=HOSPITAL_DAILY, unit="BV-B", period=today - dt.timedelta(days=365), source="import",
        values=report_payload()["values"])])
    assert OutboxEntry.objects.count() == 0
    submit_full_icu(api_client)
    # The report, read by the rules, is there; the alert it raised is not (no rule reads alerts).
    assert list(OutboxEntry.objects.values_list("kind", flat=True)) == ["report.submitted"]


def test_an_integrity_error_that_does_not_go_away_is_retried_a_few_times_then_reported(api_client, monkeypatch):
    from django.db import IntegrityError

    from opscenter.alerts.models import Alert

    tries = []

    def always_conflicting(**fields):
        tries.append(fields["dedup_key"])
        raise IntegrityError("one_open_alert_per_key")

    with monkeypatch.context() as broken:
        broken.setattr(Alert.objects, "create", always_conflicting)
        submit_full_icu(api_client)
    assert len(tries) == 3  # bounded, not one per stack frame until recursion fails
    entry = OutboxEntry.objects.get()
    assert entry.done_at is None and "IntegrityError" in entry.last_error  # the sweep will try again
    assert sweep_outbox.apply().get() == 1
    assert [a["kind"] for a in open_alerts(api_client)] == ["bed_occupancy"]
