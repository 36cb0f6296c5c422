"""The SLA report: when a ticket was solved or closed (an unanswered ticket's clock
stopped then), filled from the history for tickets solved or closed before, and the
report's index."""

from django.conf import settings
from django.db import migrations, models

# When it was first solved or closed since it was last reopened (from the history), for
# every ticket solved or closed now. One correlated UPDATE, valid on PostgreSQL and SQLite.
BACKFILL = """
UPDATE helpdesk_ticket SET resolved_at = (
    SELECT MIN(e.created_at) FROM helpdesk_ticketevent e
    WHERE e.ticket_id = helpdesk_ticket.id AND e.kind = 'status'
      AND e.to_value IN ('solved', 'closed')
      AND NOT EXISTS (
          SELECT 1 FROM helpdesk_ticketevent later
          WHERE later.ticket_id = e.ticket_id AND later.kind = 'status'
            AND later.to_value NOT IN ('solved', 'closed')
            AND later.created_at > e.created_at
      )
)
WHERE status IN ('solved', 'closed')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_availability_capacity"),
        ("sla", "0002_alter_businesscalendar_options_and_more"),
        ("tickets", "0004_macro"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="solved or closed"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=[
                    "created_at",
                    "sla_policy",
                    "sla_kind",
                    "due_at",
                    "answered_at",
                    "breached_at",
                    "resolved_at",
                    "assignee",
                ],
                name="ticket_report",
            ),
        ),
    ]
