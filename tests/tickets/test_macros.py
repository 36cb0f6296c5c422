"""Macros: placeholders filled safely for a ticket, unknown ones refused, the status a
macro sets applied with the reply (all or nothing), and only leads change macros."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.tickets import macros
from helpdesk.tickets.models import Macro, ReplyVisibility, Ticket, TicketStatus
from helpdesk.tickets.placeholders import placeholders_fill
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db


def _macro(body: str, status: str = "") -> Macro:
    return macros.macro_save(
        macro=None, name="Greeting", body=body, status=status, actor=LeadFactory()
    )


def test_placeholders_are_filled_for_the_ticket():
    customer = SuperAdminFactory(full_name="Ada Lovelace", time_zone="Europe/Paris")
    ticket = ticket_for(customer)
    macro = _macro("Hello {{customer_name}}, about {{ ticket_number }}: we answer by {{deadline}}.")
    rendered = macros.macro_render(macro=macro, ticket=ticket, actor=StaffFactory())
    due = ticket.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert rendered.text == (
        f"Hello Ada Lovelace, about #{ticket.pk}: we answer by {due:%Y-%m-%d %H:%M} {due.tzname()}."
    )
    assert rendered.status is None


def test_an_unknown_placeholder_is_refused_when_the_macro_is_saved():
    with pytest.raises(ValidationError) as refused:
        _macro("Hello {{customer_name}}, your {{custmer_name}} and {{ order }}")
    assert refused.value.message_dict == {
        "body": [
            "Unknown placeholder {{custmer_name}}. Use {{customer_name}}, {{ticket_number}} "
            "or {{deadline}}.",
            "Unknown placeholder {{order}}. Use {{customer_name}}, {{ticket_number}} "
            "or {{deadline}}.",
        ]
    }
    assert not Macro.objects.exists()


def test_html_and_placeholders_in_a_customers_name_stay_text():
    """A name is inserted once, as text: its markup is not run and its "{{...}}" is not
    filled again; the page shows it escaped."""
    customer = SuperAdminFactory(full_name="<script>alert(1)</script> {{deadline}}")
    ticket = ticket_for(customer)
    macro = _macro("Hi {{customer_name}} ({{ticket_number}})")
    rendered = macros.macro_render(macro=macro, ticket=ticket, actor=StaffFactory())
    assert rendered.text == f"Hi <script>alert(1)</script> {{{{deadline}}}} (#{ticket.pk})"


def test_template_code_in_a_macro_is_not_run():
    assert placeholders_fill(
        "{% now 'Y' %} {{ x.y }} {{ticket_number}}", {"ticket_number": "#9"}
    ) == ("{% now 'Y' %} {{ x.y }} #9")


def test_a_macro_status_is_applied_when_the_reply_is_sent():
    ticket = ticket_for(SuperAdminFactory())
    macro = _macro("Fixed for {{customer_name}}.", status=TicketStatus.SOLVED)
    agent = StaffFactory()
    text = macros.macro_render(macro=macro, ticket=ticket, actor=agent).text
    reply = macros.ticket_compose(
        ticket=ticket, author=agent, body=text, visibility=ReplyVisibility.PUBLIC, macro=macro
    )
    ticket.refresh_from_db()
    assert reply.body == text and reply.is_public
    assert ticket.status == TicketStatus.SOLVED and ticket.answered_at is not None


def test_a_refused_reply_changes_no_status():
    ticket = ticket_for(SuperAdminFactory())
    macro = _macro("Solved.", status=TicketStatus.SOLVED)
    with pytest.raises(ValidationError):
        macros.ticket_compose(
            ticket=ticket,
            author=StaffFactory(),
            body="  ",
            visibility=ReplyVisibility.PUBLIC,
            macro=macro,
        )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and not ticket.replies.exists()


def test_a_refused_status_change_takes_the_reply_back(monkeypatch):
    ticket = ticket_for(SuperAdminFactory())
    macro = _macro("Solved.", status=TicketStatus.SOLVED)

    def refuse(**kwargs):
        raise ValidationError("no")

    monkeypatch.setattr(macros.services, "ticket_set_status", refuse)
    with pytest.raises(ValidationError):
        macros.ticket_compose(
            ticket=ticket,
            author=StaffFactory(),
            body="Done",
            visibility=ReplyVisibility.PUBLIC,
            macro=macro,
        )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert not ticket.replies.exists() and ticket.answered_at is None


def test_a_customer_cannot_send_with_a_macro():
    customer = SuperAdminFactory()
    ticket = ticket_for(customer)
    macro = _macro("Solved.", status=TicketStatus.SOLVED)
    with pytest.raises(PermissionDenied):
        macros.ticket_compose(
            ticket=ticket, author=customer, body="x", visibility=ReplyVisibility.PUBLIC, macro=macro
        )
    with pytest.raises(PermissionDenied):
        macros.macro_render(macro=macro, ticket=ticket, actor=customer)
    assert not ticket.replies.exists()


def test_only_leads_change_macros():
    macro = _macro("Hello")
    for outsider in (StaffFactory(), SuperAdminFactory()):
        with pytest.raises(PermissionDenied, match="Only leads can change macros."):
            macros.macro_save(macro=macro, name="Hacked", body="x", status="", actor=outsider)
        with pytest.raises(PermissionDenied):
            macros.macro_delete(macro=macro, actor=outsider)
    macro.refresh_from_db()
    assert macro.name == "Greeting"


def test_the_leads_group_holds_the_macro_permissions_and_specialists_only_view():
    lead, agent = LeadFactory(), StaffFactory()
    names = lambda user: set(  # noqa: E731
        Permission.objects.filter(group__user=user, content_type__model="macro").values_list(
            "codename", flat=True
        )
    )
    assert names(lead) == {"view_macro", "add_macro", "change_macro", "delete_macro"}
    assert names(agent) == {"view_macro"}
