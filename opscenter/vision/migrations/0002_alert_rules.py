from django.db import migrations


def install(apps, schema_editor):
    from opscenter.vision.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("vision", "0001_initial"), ("alerts", "0003_default_rules")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
