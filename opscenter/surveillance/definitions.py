"""The surveillance alert rules, installed by a data migration (thresholds are data: edit them in the admin)."""

from typing import Any

RULES = [
    {"code": "outbreak_signal", "name": "Tín hiệu bùng phát dịch", "name_en": "Outbreak signal",
     "evaluator": "outbreak_signal", "severity": "warning",
     # which methods may raise an alert, and the fewest cases on the day (week for farrington) worth one
     "params": {"methods": ["ears-c2", "ears-c3", "cusum", "farrington"], "min_observed": 3,
                "critical_ratio": 2.0}},
    {"code": "forecast_beds_exceed_capacity", "name": "Dự báo nhu cầu giường vượt công suất",
     "name_en": "Forecast bed demand exceeds capacity", "evaluator": "forecast_exceeds_capacity",
     "severity": "warning", "params": {"within_days": 7, "share": 1.0, "use": "mean", "min_capacity": 5}},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
