from django.db import migrations


def install(apps, schema_editor):
    from opscenter.reporting.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
