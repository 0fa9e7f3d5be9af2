from django.db import migrations

# PostgreSQL keeps the tsvector of the folded search text in a stored generated column, indexed with GIN:
# no per-row to_tsvector at query time, and the planner gets word statistics (so a common word walks the
# newest-first index, a rare one the GIN index). SQLite searches the folded text with LIKE instead.
FORWARD = [
    "ALTER TABLE work_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS work_document_search_gin ON work_document USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS work_document_search_gin",
    "ALTER TABLE work_document DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return run


def install_rules(apps, schema_editor):
    from opscenter.work.definitions import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("work", "0001_initial"), ("alerts", "0003_default_rules")]
    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
        migrations.RunPython(install_rules, migrations.RunPython.noop),
    ]
