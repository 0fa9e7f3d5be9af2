"""Optional dependencies by role (pyproject's extras): the web process runs without the camera, road-graph and
document-reading libraries; a module that needs one says which extra to install. Plain Python, no Django (the
camera pipeline uses it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class MissingExtra(ModuleNotFoundError):
    def __init__(self, extra: str, module: str | None) -> None:
        super().__init__(f"{module or 'a library'} is not installed: this needs the {extra!r} optional "
                         f"dependencies (pip install 'opscenter[{extra}]')", name=module)
        self.extra = extra


@contextmanager
def needs(extra: str) -> Iterator[None]:
    """`with needs("vision"): import cv2` — a missing library names the extra that brings it."""
    try:
        yield
    except MissingExtra:
        raise
    except ModuleNotFoundError as exc:
        raise MissingExtra(extra, exc.name) from exc
