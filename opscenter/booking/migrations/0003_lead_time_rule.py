from django.db import migrations


def install_rules(apps, schema_editor):
    from opscenter.booking.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_retention"), ("alerts", "0003_default_rules")]

    operations = [migrations.RunPython(install_rules, migrations.RunPython.noop)]
