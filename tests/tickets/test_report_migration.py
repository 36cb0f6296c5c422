"""tickets 0005_report_index fills `resolved_at` from each ticket's status history, so the
SLA report tells tickets solved before the upgrade from breaches. Migrates the test
database back to 0004_macro, writes tickets and their history, migrates forward."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from helpdesk.tickets.models import Ticket
from tests.factories import SuperAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
BEFORE = [("tickets", "0004_macro")]


def _migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)


def test_resolved_at_comes_from_the_history():
    requester = SuperAdminFactory()
    executor = _migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        OldTicket = apps.get_model("tickets", "Ticket")
        OldEvent = apps.get_model("tickets", "TicketEvent")

        def ticket(status, *changes):
            t = OldTicket.objects.create(
                account_id=requester.account_id,
                requester_id=requester.pk,
                requester_role="super_admin",
                channel="email",
                subject="s",
                description="d",
                status=status,
                created_at=T0,
                sla_policy="standard",
                sla_kind="guaranteed",
                due_at=T0 + timedelta(hours=1),
            )
            for minutes, to_value in changes:
                OldEvent.objects.create(
                    ticket=t,
                    kind="status",
                    to_value=to_value,
                    created_at=T0 + timedelta(minutes=minutes),
                )
            return t.pk

        solved = ticket("solved", (5, "solved"))
        reopened_and_solved = ticket("solved", (5, "solved"), (10, "open"), (30, "solved"))
        solved_then_closed = ticket("closed", (5, "solved"), (60, "closed"))
        reopened = ticket("open", (5, "solved"), (10, "open"))
    finally:
        _migrate()
    resolved = dict(Ticket.objects.values_list("pk", "resolved_at"))
    assert resolved[solved] == T0 + timedelta(minutes=5)
    assert resolved[reopened_and_solved] == T0 + timedelta(minutes=30)
    assert resolved[solved_then_closed] == T0 + timedelta(minutes=5)
    assert resolved[reopened] is None
