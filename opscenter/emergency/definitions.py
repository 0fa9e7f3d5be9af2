"""The alert rules the 115 coordination ships (thresholds are data: change them in the admin)."""

from typing import Any

RULES = [
    {"code": "emergency_p1_unassigned", "name": "Ca cấp cứu ưu tiên 1 chờ xe quá lâu",
     "name_en": "Priority-1 incident waiting for an ambulance", "evaluator": "incident_unassigned_too_long",
     "params": {"threshold_seconds": 120, "priorities": [1]}, "severity": "critical"},
    {"code": "emergency_offload_slow", "name": "Thời gian bàn giao bệnh nhân tại bệnh viện quá lâu",
     "name_en": "Ambulance offload time above threshold", "evaluator": "offload_time_above",
     "params": {"threshold_seconds": 1800, "min_handovers": 3}, "severity": "warning"},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
