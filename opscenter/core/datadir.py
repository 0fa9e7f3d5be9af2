"""The embedded default's data folder (OPSCENTER_DATA_DIR): made by the commands that write to it (migrate,
`opscenter demo`, `opscenter serve`), never by importing the settings. It is the service account's alone:
the folder 0700, the SQLite file and the generated secret key 0600 (SQLite gives its -wal and -shm files
the database file's mode, so creating that file 0600 covers them)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db.backends.sqlite3.creation import DatabaseCreation


def _create_private_file(path: Path, text: str = "") -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process made it first: theirs stands
    with os.fdopen(fd, "w") as file:
        file.write(text)


def prepare() -> None:
    data = Path(settings.DATA_DIR)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    if settings.SECRET_KEY_FILE is not None and not settings.SECRET_KEY_FILE.exists():
        _create_private_file(settings.SECRET_KEY_FILE, settings.SECRET_KEY)  # the key this process already uses
    database = settings.DATABASES["default"]
    # The test runner's shared in-memory database is named like a URI ("file:memorydb_…?mode=memory"): no file.
    name = str(database["NAME"] or "")
    if database["ENGINE"].endswith("sqlite3") and name and not DatabaseCreation.is_in_memory_db(name):
        db_file = Path(name)
        db_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private_file(db_file)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
