# Hand-written: the article search index differs per database (see helpdesk/kb/search.py).
# PostgreSQL: a tsvector column with a GIN index. SQLite: an FTS5 table. Others: nothing
# (the search falls back to substring matching).

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE helpdesk_article ADD COLUMN search_vector tsvector")
        schema_editor.execute(
            "CREATE INDEX helpdesk_article_search_gin ON helpdesk_article USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE helpdesk_article_fts USING fts5("
            "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS helpdesk_article_search_gin")
        schema_editor.execute("ALTER TABLE helpdesk_article DROP COLUMN IF EXISTS search_vector")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS helpdesk_article_fts")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0003_knowledge_base")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
