"""Forecasts keep which forecast they show (the model's, or the seasonal naive one on the days ahead where the model
does not beat it in the backtest), the model's own forecast, and the backtest MASE of each horizon."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0002_alert_rules")]

    operations = [
        migrations.AddField(
            model_name="forecast",
            name="shown",
            field=models.CharField(
                choices=[("model", "The model's forecast"), ("naive", "Repeating last week (seasonal naive)"),
                         ("mixed", "Each where it did better")],
                default="model", max_length=8),
        ),
        migrations.AddField(
            model_name="forecast",
            name="naive_days",
            field=models.JSONField(default=list, help_text="The days ahead (1: the next day) showing the naive "
                                                           "forecast"),
        ),
        migrations.AddField(
            model_name="forecast",
            name="model_mean",
            field=models.JSONField(default=list, help_text="The model's forecast, shown or not"),
        ),
        migrations.AddField(
            model_name="forecast",
            name="mase_by_horizon",
            field=models.JSONField(default=list, help_text="The model's MASE 1, 2, ... days ahead"),
        ),
        migrations.AddField(
            model_name="forecast",
            name="mase_baseline_by_horizon",
            field=models.JSONField(default=list, help_text="The naive forecast's MASE, by horizon"),
        ),
        migrations.AlterField(
            model_name="forecast",
            name="model",
            field=models.CharField(help_text="The forecasting model tried (shown or not)", max_length=40),
        ),
    ]
