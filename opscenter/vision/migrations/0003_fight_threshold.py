"""The fight heuristic's alert threshold, calibrated on synthetic footage: a scuffle of two people averages
0.29 (over 3 frames: at least 0.14–0.2), people walking side by side 0, hurrying past 0.1–0.2. So 0.2 instead of
0.6, which nothing reached. A threshold that an operator has already changed is left alone."""

from django.db import migrations


def calibrate(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in AlertRule.objects.filter(code="vision_fight"):
        if rule.params.get("min_score") == 0.6:
            rule.params = {**rule.params, "min_score": 0.2}
            rule.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("vision", "0002_alert_rules")]
    operations = [migrations.RunPython(calibrate, migrations.RunPython.noop)]
