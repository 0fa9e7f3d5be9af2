"""The event kinds the browser may listen to, sent with every live page (read by static/opscenter/live.js)."""

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from opscenter.core import events

register = template.Library()


@register.simple_tag
def live_event_kinds() -> SafeString:
    return json_script(events.live_kinds(), "ops-event-kinds")
