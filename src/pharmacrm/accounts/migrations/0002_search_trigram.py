"""pg_trgm and trigram GIN indexes on the search keys — PostgreSQL only.

The typo-tolerant search prefilters with ``search_key ILIKE '%gram%'``; on PostgreSQL a
``gin_trgm_ops`` index answers that without a full scan. SQLite has no such index and scans
(fine at the embedded install's size), so the operations do nothing there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = (
    ("accounts_account", "account_search_key_trgm"),
    ("accounts_contact", "contact_search_key_trgm"),
)


def _create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_key gin_trgm_ops)"
        )


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop, elidable=False)]
