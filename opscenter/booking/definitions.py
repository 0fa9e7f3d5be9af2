"""The alert rule appointments ship (thresholds are data: change them in the admin)."""

from typing import Any

RULES = [
    {"code": "booking_no_free_slot", "name": "Chuyên khoa không còn lịch khám trống",
     "name_en": "No free appointment in a specialty", "evaluator": "booking_lead_time", "params": {"days": 7},
     "severity": "warning"},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
