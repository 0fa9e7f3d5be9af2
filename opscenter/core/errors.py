"""Domain errors raised by services and turned into HTTP answers in one place (the API's handlers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(Exception):
    """Bad input: 422 with one message per field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        return cls([FieldError(field, message)])


class Conflict(Exception):
    """The request clashes with what is stored (409)."""


class NotFound(Exception):
    """404."""


class TooMany(Exception):
    """Too many requests of one kind from one person or address in a while (429); the message says when to
    try again."""
