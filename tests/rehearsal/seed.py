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


def load(customers: int, specialists: int, articles: int, sessions: int = 1) -> dict:
    """bench/load.py: entitled customers (`sessions` signed-in sessions each: the
    capacity run gives every socket a session of its own), specialists and published
    articles."""
    from accounts.permissions import SPECIALISTS_GROUP
    from accounts.services import staff_groups_ensure
    from helpdesk.kb.search import rebuild_index
    from tests.factories import StaffFactory, SuperAdminFactory
    from tests.kb.factories import ArticleFactory

    staff_groups_ensure()
    words = ["vpn", "login", "invoice", "export", "password", "report", "email", "billing"]
    for i in range(articles):
        ArticleFactory(
            title=f"How to fix {words[i % len(words)]} problem {i}",
            slug=f"load-{i}",
            body=" ".join(words[(i + k) % len(words)] for k in range(40)),
        )
    rebuild_index()
    return {
        "customers": [
            cookie(user)
            for user in (
                SuperAdminFactory(email=f"load-customer-{i}@customer.example")
                for i in range(customers)
            )
            for _ in range(sessions)
        ],
        "specialists": [
            cookie(
                StaffFactory(email=f"load-specialist-{i}@support.example", groups=SPECIALISTS_GROUP)
            )
            for i in range(specialists)
        ],
        "words": words,
    }


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "load":
        result = load(*(int(x) for x in sys.argv[2:6]))
    else:
        result = people() if what == "people" else tickets(int(sys.argv[2]), float(sys.argv[3]))
    print("SEED " + json.dumps(result))
