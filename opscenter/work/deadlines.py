"""Where a task stands against its deadline (no Django here)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class Timeliness(StrEnum):
    ON_TIME = "on_time"  # done by the deadline
    LATE = "late"  # done after the deadline
    OVERDUE = "overdue"  # not done and past the deadline
    OPEN = "open"  # not done, deadline ahead (or none)


def timeliness(deadline: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime) -> Timeliness:
    if done_at is not None:
        return Timeliness.LATE if deadline is not None and done_at > deadline else Timeliness.ON_TIME
    return Timeliness.OVERDUE if deadline is not None and now > deadline else Timeliness.OPEN
