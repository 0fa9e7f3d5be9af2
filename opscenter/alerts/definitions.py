"""The alert rules shipped with the platform (thresholds are data: change them in the admin)."""

from typing import Any

RULES = [
    {"code": "bed_occupancy_high", "name": "Công suất giường vượt ngưỡng",
     "name_en": "Bed occupancy above threshold", "evaluator": "bed_occupancy_above",
     "params": {"threshold": 0.95, "min_total": 5}, "severity": "warning"},
    {"code": "er_waiting_high", "name": "Bệnh nhân cấp cứu chờ giường vượt ngưỡng",
     "name_en": "Emergency patients waiting above threshold", "evaluator": "er_waiting_above",
     "params": {"threshold": 20}, "severity": "critical"},
    {"code": "report_overdue", "name": "Quá hạn gửi báo cáo", "name_en": "Report overdue",
     "evaluator": "report_overdue", "params": {}, "severity": "warning"},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
