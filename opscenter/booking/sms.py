"""Text messages to people's phones, through one small interface: the backend is chosen by configuration
(`BOOKING_SMS_BACKEND`, a dotted path), as Django chooses its mail backend. The console backend writes messages to
the log; `FileBackend` appends them to a file a day under BOOKING_SMS_FILE_PATH (the demo: the person reads their
code there); `LocmemBackend` keeps them in `outbox` (tests); a provider's gateway is a class with `send`."""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []  # (phone, text) sent through LocmemBackend


class Backend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class FileBackend:
    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.BOOKING_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        with open(folder / f"{now:%Y-%m-%d}.txt", "a", encoding="utf-8") as out:
            out.write(f"{now:%H:%M:%S} {phone}: {text}\n")


class LocmemBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def plain(text: str) -> str:
    """Vietnamese without diacritics (đ as d): a text message in GSM 7-bit holds 160 characters, in Unicode 70."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def send(phone: str, text: str) -> None:
    backend: Backend = import_string(getattr(settings, "BOOKING_SMS_BACKEND",
                                             "opscenter.booking.sms.ConsoleBackend"))()
    backend.send(phone, plain(text))
