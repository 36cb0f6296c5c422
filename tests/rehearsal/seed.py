"""Run by the rehearsal as a script, with the rehearsal's environment: `seed.py people`
makes a customer, a specialist and a lead and prints their session cookies as JSON;
`seed.py tickets N SECONDS` adds N guaranteed tickets whose deadline is SECONDS from now
(negative: already passed) and prints their ids' range."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402


def cookie(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def people() -> dict:
    from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
    from accounts.services import staff_groups_ensure
    from helpdesk.tickets import notifications
    from helpdesk.tickets.models import TicketEventKind
    from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

    staff_groups_ensure()
    customer = SuperAdminFactory(email="ada@customer.example")
    specialist = StaffFactory(email="sam@support.example", groups=SPECIALISTS_GROUP)
    LeadFactory(email="lee@support.example", groups=LEADS_GROUP)
    return {
        "customer": cookie(customer),
        "specialist": cookie(specialist),
        "customer_id": customer.pk,
        "escalation_kind": notifications.SLA_ESCALATION,
        "breached_kind": TicketEventKind.BREACHED.value,
    }


def tickets(count: int, seconds: float) -> dict:
    import uuid

    from helpdesk.tickets.models import Ticket, TicketChannel
    from helpdesk.tickets.services import ticket_create
    from tests.factories import SuperAdminFactory

    requester = SuperAdminFactory(email=f"requester-{uuid.uuid4().hex[:12]}@example.com")
    first = ticket_create(
        requester=requester, channel=TicketChannel.EMAIL, subject="Rehearsal", description="x"
    )
    due = timezone.now() + timedelta(seconds=seconds)
    copies = []
    for _ in range(count - 1):
        copy = Ticket.objects.get(pk=first.pk)
        copy.pk = None
        copies.append(copy)
    Ticket.objects.bulk_create(copies, batch_size=1000)
    ids = Ticket.objects.filter(requester=requester).values_list("pk", flat=True)
    Ticket.objects.filter(pk__in=ids).update(
        due_at=due, warn_at=None, sla_next_check_at=due, created_at=due - timedelta(hours=1)
    )
    return {"first": min(ids), "last": max(ids), "count": len(ids)}


if __name__ == "__main__":
    what = sys.argv[1]
    result = people() if what == "people" else tickets(int(sys.argv[2]), float(sys.argv[3]))
    print("SEED " + json.dumps(result))
