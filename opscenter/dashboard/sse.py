"""Server-Sent Events: every event of the bus that concerns the user's scope, as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from opscenter.core.events import Event, get_backend
from opscenter.org.models import Unit
from opscenter.org.roles import Perm

HEARTBEAT_SECONDS = 15


@sync_to_async
def _unit_paths() -> dict[str, str]:
    return dict(Unit.objects.values_list("code", "path"))


async def _stream(scope_path: str) -> AsyncIterator[str]:
    paths = await _unit_paths()
    # Subscribed before the client hears anything: once its stream is open, no event published can be missed.
    events = await get_backend().listen()
    next_event = asyncio.ensure_future(anext(events))
    try:
        yield "retry: 2000\n\n"
        while True:
            done, _ = await asyncio.wait({next_event}, timeout=HEARTBEAT_SECONDS)
            if not done:
                yield ": keep-alive\n\n"
                continue
            event: Event = next_event.result()
            next_event = asyncio.ensure_future(anext(events))
            if event.unit is not None and event.unit not in paths:
                paths = await _unit_paths()  # a unit created since the stream opened
            if event.unit is None or paths.get(event.unit, "").startswith(scope_path):
                data = json.dumps({"id": event.id, "source": event.source, "kind": event.kind,
                                   "unit": event.unit, "time": event.time.isoformat(), "payload": event.payload},
                                  ensure_ascii=False, default=str)
                yield f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"
    finally:
        next_event.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await next_event
        events.close()


async def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    unit = await sync_to_async(lambda: user.unit)()
    if unit is None or (not user.has_perm_in(Perm.VIEW_ALERTS) and not user.has_perm_in(Perm.VIEW_DASHBOARD)):
        return HttpResponse(status=403)
    response = StreamingHttpResponse(_stream(unit.path), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let nginx pass events through at once
    return response
