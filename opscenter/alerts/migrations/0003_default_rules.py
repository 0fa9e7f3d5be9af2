from django.db import migrations


def install(apps, schema_editor):
    from opscenter.alerts.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
