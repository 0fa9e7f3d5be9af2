"""Edits based on a version: an edit form (or API client) says which version it started from, and a save
based on an older one is refused instead of silently undoing what others stored since (a lost update).

Each app decides what its version is (a report's `version`, a camera's, a case's); this module holds the
error every app raises and the comparison it shows, so the API answers them the same way (409 with the
changes) and the pages can show them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class Change:
    """One field changed since the edit's base version: its value then, stored now, and in the edit."""

    field: str
    base: Any
    stored: Any
    yours: Any


class StaleEdit(Conflict):
    """409: the edit started from `base_version` but `current_version` is stored, which differs in `changes`."""

    def __init__(self, message: str, base_version: int, current_version: int, changes: list[Change]):
        super().__init__(message)
        self.base_version = base_version
        self.current_version = current_version
        self.changes = changes

    def as_json(self) -> dict[str, Any]:
        return {
            "detail": str(self), "base_version": self.base_version, "current_version": self.current_version,
            "changes": [{"field": c.field, "base": c.base, "stored": c.stored, "yours": c.yours}
                        for c in self.changes],
        }


def changes_since(base: Mapping[str, Any], stored: Mapping[str, Any], yours: Mapping[str, Any],
                  fields: Iterable[str] | None = None, prefix: str = "") -> list[Change]:
    """The fields whose stored value is no longer the one the edit started from."""
    names = list(fields) if fields is not None else sorted(set(base) | set(stored))
    return [Change(prefix + name, base.get(name), stored.get(name), yours.get(name))
            for name in names if base.get(name) != stored.get(name)]


def check_version(base_version: int | None, current_version: int, base: Mapping[str, Any],
                  stored: Mapping[str, Any], yours: Mapping[str, Any], fields: Iterable[str] | None = None,
                  prefix: str = "") -> None:
    """Refuse an edit started from an older version (None: the caller did not say; nothing checked)."""
    if base_version is None or base_version == current_version:
        return
    raise StaleEdit(
        _("Someone saved a newer version (%(current)s) since this edit started from version %(base)s; "
          "review their changes and save again.") % {"current": current_version, "base": base_version},
        base_version, current_version, changes_since(base, stored, yours, fields, prefix),
    )


_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def if_match_version(header: str | None, field: str = "If-Match") -> int | None:
    """The version an `If-Match` header names (`3`, `"3"` or `W/"3"`); None when absent."""
    if header is None or not header.strip():
        return None
    match = _ETAG.match(header)
    if match is None:
        raise ValidationFailed.one(field, _("name the version the edit started from, e.g. \"3\""))
    return int(match.group(1))
