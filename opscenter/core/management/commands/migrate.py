"""Django's migrate, which first prepares the embedded data folder (the database file lives there)."""

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from opscenter.core import datadir


class Command(MigrateCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        datadir.prepare()  # before the system checks, which open the database
        return super().execute(*args, **options)
