"""A broker that is away at commit: the upload is stored and answered (not an error page), and the extraction
sweep does the work once it runs."""

import datetime as dt

import pytest

from opscenter.celery import app as celery_app
from opscenter.org.roles import Role
from opscenter.work.models import StoredFile
from opscenter.work.tasks import extract_pending_files
from opscenter.work.tests.conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_away():
    """Celery as in production (not eager), pointed at a port nobody listens on, failing at once."""
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "broker_connection_retry",
                                              "broker_connection_max_retries", "task_publish_retry")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:9/0", broker_connection_retry=False,
                           broker_connection_max_retries=0, task_publish_retry=False)
    _forget_connections()
    yield
    celery_app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    # The app opens its connection pool on first use, with the broker of that moment.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_an_upload_is_kept_when_the_broker_is_away_and_the_sweep_extracts_it(api_client, city, broker_away, caplog):
    r = upload(api_client(Role.CLERK), docx_bytes("Kế hoạch phòng chống sốt xuất huyết năm 2026"), "ke-hoach.docx")
    assert r.status_code == 201, r.content
    stored = StoredFile.objects.get(pk=r.json()["id"])
    assert not stored.extracted and stored.text == ""
    assert "broker is unreachable" in caplog.text

    celery_app.conf.task_always_eager = True  # the worker's beat runs the sweep
    assert extract_pending_files.apply().get() == 0  # too recent: its own task may still be on its way
    StoredFile.objects.filter(pk=stored.pk).update(uploaded_at=stored.uploaded_at - dt.timedelta(minutes=10))
    assert extract_pending_files.apply().get() == 1
    stored.refresh_from_db()
    assert stored.extracted and "sốt xuất huyết" in stored.text
