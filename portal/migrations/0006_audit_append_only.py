"""On PostgreSQL, the database itself keeps the audit log append-only: no DELETE, and no
UPDATE except clearing the link to a deleted user or region (ON DELETE SET NULL)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events are append-only';
    END IF;
    IF (NEW.id, NEW.at, NEW.username, NEW.action, NEW.object_type, NEW.object_id,
        NEW.object_repr, NEW.ip_address, NEW.detail::text)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.username, OLD.action, OLD.object_type, OLD.object_id,
        OLD.object_repr, OLD.ip_address, OLD.detail::text)
       OR (NEW.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
       OR (NEW.region_id IS NOT NULL AND NEW.region_id IS DISTINCT FROM OLD.region_id) THEN
        RAISE EXCEPTION 'audit events are append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_append_only
    BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
"""
REVERSE = """
DROP TRIGGER IF EXISTS portal_auditevent_append_only ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_import_kind_pay")]

    operations = [migrations.RunPython(forwards, backwards)]
