"""opscenter: the Smart Operations Center."""

# The Celery app is loaded with Django, so that tasks (and `delay_on_commit`) use its configuration:
# a broker in production, eager in-process execution in the embedded default.
from .celery import app as celery_app

__version__ = "0.1.0"
__all__ = ["celery_app"]
