"""The alert rule this area ships (thresholds are data: change them in the admin)."""

from typing import Any

RULES = [
    {"code": "directive_overdue", "name": "Nhiệm vụ chỉ đạo quá hạn", "name_en": "Directive task overdue",
     "evaluator": "directive_overdue", "params": {"critical_priorities": ["urgent"]}, "severity": "warning"},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
