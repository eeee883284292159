"""The event log refuses UPDATE (and, on PostgreSQL, DELETE) in the database itself.

On SQLite only UPDATE is refused: Django's test flush empties tables with DELETE there,
while PostgreSQL's flush uses TRUNCATE, which row-level triggers do not see.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION villages_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'villages_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER villages_event_append_only BEFORE UPDATE OR DELETE ON villages_event
    FOR EACH ROW EXECUTE FUNCTION villages_event_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS villages_event_append_only ON villages_event;
DROP FUNCTION IF EXISTS villages_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER villages_event_append_only BEFORE UPDATE ON villages_event
BEGIN SELECT RAISE(ABORT, 'villages_event is append-only: UPDATE refused'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS villages_event_append_only;"


def up(apps, schema_editor):
    sql = POSTGRES_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    sql = POSTGRES_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
