from django.db import migrations


def install(apps, schema_editor):
    from opscenter.emergency.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("emergency", "0001_initial"), ("alerts", "0003_default_rules")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
