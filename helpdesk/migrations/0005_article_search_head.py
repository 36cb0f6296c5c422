# Hand-written, PostgreSQL only: the title and summary part of search_vector, kept by the
# database itself (a stored generated column), with its own GIN index. Suggestions rank
# these small vectors first, so a common word no longer means ranking every article's
# whole text (see helpdesk/kb/search.py). SQLite's FTS5 table filters by column instead.
#
# Both GIN indexes get fastupdate off: with it on, new entries wait in a pending list that
# every search reads linearly until (auto)vacuum merges it (seen: 8 ms instead of 0.1 ms
# for a word no article has, after re-indexing 10,000 articles). Articles are written
# seldom and searched on every keystroke, so writes pay for the index update instead.

from django.db import migrations


def create_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE helpdesk_article ADD COLUMN search_head tsvector "
            "GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX helpdesk_article_search_head_gin ON helpdesk_article "
            "USING gin (search_head) WITH (fastupdate = off)"
        )
        schema_editor.execute(
            "ALTER INDEX helpdesk_article_search_gin SET (fastupdate = off)"
        )
        schema_editor.execute("SELECT gin_clean_pending_list('helpdesk_article_search_gin')")


def drop_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX helpdesk_article_search_gin RESET (fastupdate)")
        schema_editor.execute("DROP INDEX IF EXISTS helpdesk_article_search_head_gin")
        schema_editor.execute("ALTER TABLE helpdesk_article DROP COLUMN IF EXISTS search_head")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0004_article_search_index")]

    operations = [migrations.RunPython(create_head, drop_head, elidable=False)]
