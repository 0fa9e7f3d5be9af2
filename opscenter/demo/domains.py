"""The domain apps' demo hooks: each may ship `opscenter.<app>.demo` with `seed()` and `tick()`."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from types import ModuleType

from django.db import close_old_connections

from opscenter.core.boot import domain_apps

log = logging.getLogger(__name__)


def modules() -> Iterator[ModuleType]:
    for app in domain_apps():
        try:
            yield importlib.import_module(f"opscenter.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"opscenter.{app}.demo":
                raise


def seed_all() -> None:
    for module in modules():
        print(f"Demo data: {module.__name__.split('.')[1]}…", flush=True)
        module.seed()


def tick_all() -> None:
    """One step of every app's live simulation; one failing app does not stop the others."""
    for module in modules():
        try:
            module.tick()
        except Exception:
            log.exception("demo tick of %s failed", module.__name__)
        finally:
            close_old_connections()
