"""Starting Django outside manage.py, and the list of domain apps: read by the CLI and the demo, which sit above
every app, so both live here, below them."""

from __future__ import annotations

import importlib.util
import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    import django

    django.setup()


def domain_apps() -> tuple[str, ...]:
    """The installed apps that ship a demo module (`opscenter.<app>.demo`), in INSTALLED_APPS order: the domain
    apps, whose demo hooks and CLI commands are collected. Needs no app registry, so the CLI can ask before
    Django is set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    from django.conf import settings

    names = [app.removeprefix("opscenter.") for app in settings.INSTALLED_APPS if app.startswith("opscenter.")]
    return tuple(name for name in names if importlib.util.find_spec(f"opscenter.{name}.demo") is not None)
