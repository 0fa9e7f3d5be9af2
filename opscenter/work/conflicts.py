"""Scheduling conflicts between meetings: same room or same person at overlapping times (no Django here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Booking:
    key: int  # the meeting
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: int | None = None
    people: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Clash:
    meeting: int
    title: str
    room: bool  # the same room
    people: frozenset[int]  # people in both


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Half-open intervals: a meeting ending at 10:00 does not clash with one starting at 10:00."""
    return a_start < b_end and b_start < a_end


def clashes(proposed: Booking, existing: Iterable[Booking]) -> list[Clash]:
    found = []
    for other in existing:
        if other.key == proposed.key or not overlaps(proposed.starts_at, proposed.ends_at, other.starts_at,
                                                     other.ends_at):
            continue
        same_room = proposed.room is not None and proposed.room == other.room
        shared = proposed.people & other.people
        if same_room or shared:
            found.append(Clash(other.key, other.title, same_room, shared))
    return found
