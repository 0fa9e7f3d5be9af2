"""Celery application: background and scheduled work in production (CELERY_BROKER_URL set).

In the embedded default tasks run eagerly in-process and `opscenter.core.scheduler` plays beat.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")

app = Celery("opscenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
