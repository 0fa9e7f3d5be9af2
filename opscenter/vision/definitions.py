"""The alert rules of the camera analytics, one per kind (thresholds are data: change them in the admin)."""

from typing import Any

RULES = [
    {"code": "vision_crowding", "name": "Camera: quá tải người trong khu vực", "name_en": "Camera: crowding",
     "params": {"analytic": "crowding"}, "severity": "warning"},
    {"code": "vision_barrier", "name": "Camera: xâm nhập khu vực cấm", "name_en": "Camera: restricted zone entered",
     "params": {"analytic": "barrier"}, "severity": "critical"},
    {"code": "vision_line_crossing", "name": "Camera: vượt hàng rào ảo", "name_en": "Camera: virtual line crossed",
     "params": {"analytic": "line_crossing"}, "severity": "warning"},
    {"code": "vision_loitering", "name": "Camera: lảng vảng kéo dài (cò mồi)", "name_en": "Camera: loitering",
     "params": {"analytic": "loitering"}, "severity": "warning"},
    {"code": "vision_watchlist", "name": "Camera: khuôn mặt trong danh sách theo dõi",
     "name_en": "Camera: watch-list face", "params": {"analytic": "watchlist"}, "severity": "critical"},
    {"code": "vision_abandoned", "name": "Camera: đồ vật bị bỏ quên", "name_en": "Camera: abandoned object",
     "params": {"analytic": "abandoned"}, "severity": "warning"},
    {"code": "vision_fight", "name": "Camera: nghi đánh nhau (ước lượng)", "name_en": "Camera: possible fight",
     "params": {"analytic": "fight", "min_score": 0.2}, "severity": "critical"},
    {"code": "vision_weapon", "name": "Camera: mang vũ khí", "name_en": "Camera: weapon carried",
     "params": {"analytic": "weapon", "min_score": 0.5}, "severity": "critical"},
    {"code": "vision_fall", "name": "Camera: người bị ngã", "name_en": "Camera: person fallen",
     "params": {"analytic": "fall", "min_score": 0.5}, "severity": "critical"},
]


def install(apps: Any) -> None:
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults={**rule, "evaluator": "vision_analytic"})
