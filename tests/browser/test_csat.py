"""Satisfaction ratings as customers and leads meet them: after a chat (in the dialog),
after a solved ticket (on its page, and through the email's signed link in a browser
that is not signed in), and the leads' report on a known data set."""

from datetime import UTC, datetime
from pathlib import Path

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from helpdesk.csat import services as csat_services
from helpdesk.csat.models import RatedKind, Survey
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import TicketStatus
from tests.browser.test_chat import _chat_accepted
from tests.factories import ticket_for


def test_the_customer_rates_a_chat_in_the_dialog_after_it_ends(portal, browser, screenshot):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        agent.once("dialog", lambda d: d.accept())
        agent.get_by_role("button", name="End chat").click()
        expect(dialog.get_by_text("The specialist ended the chat.")).to_be_visible()
        rating = dialog.get_by_role("group", name="How satisfied are you with the help you got?")
        expect(rating).to_be_visible()
        # Nothing chosen: the server says why and stores nothing.
        dialog.get_by_role("button", name="Send rating").click()
        expect(dialog.get_by_text("Choose a rating from 1 to 5.")).to_be_visible()
        rating.get_by_label("4").check()
        dialog.get_by_label("Anything to add? (optional)").fill("Quick and friendly.")
        screenshot(customer, "dialog-rating")
        dialog.get_by_role("button", name="Send rating").click()
        expect(dialog.get_by_role("status").filter(has_text="Thank you")).to_have_text(
            "Thank you for your rating."
        )
        survey = Survey.objects.get(kind=RatedKind.CHAT)
        assert (survey.rating, survey.comment) == (4, "Quick and friendly.")
        assert survey.specialist.email == "agent@support.example"
        screenshot(customer, "dialog-rated")
    finally:
        specialist_ctx.close()
        customer_ctx.close()


def test_the_customer_rates_a_solved_ticket_on_its_page_and_through_the_email_link(
    live_server, demo, browser, page, login, screenshot, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    customer = User.objects.get(email="admin@acme.example")
    agent = User.objects.get(email="agent@support.example")
    ticket = ticket_for(customer, subject="Export stuck")
    ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket_services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)

    login(page, "admin@acme.example")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    section = page.get_by_role("region", name="Rate the help you got")
    section.get_by_label("2").check()
    section.get_by_role("button", name="Send rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    expect(page.get_by_text("You rated this 2 out of 5.")).to_be_visible()
    screenshot(page, "ticket-rated")
    assert Survey.objects.get().rating == 2

    # The link of the solved email, in a browser nobody is signed in to: change to 5.
    link = csat_services.survey_link(Survey.objects.get())
    anonymous = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        visitor = anonymous.new_page()
        visitor.goto(link)
        expect(visitor.get_by_role("heading", name="Rate the help you got")).to_be_visible()
        expect(visitor.get_by_label("2")).to_be_checked()
        visitor.get_by_label("5").check()
        visitor.get_by_label("Anything to add? (optional)").fill("Solved after all.")
        visitor.get_by_role("button", name="Change rating").click()
        expect(visitor.get_by_role("status")).to_have_text("Thank you for your rating.")
        screenshot(visitor, "link-390")
        assert (Survey.objects.get().rating, Survey.objects.get().comment) == (
            5,
            "Solved after all.",
        )
        # A forged link says so and stores nothing.
        visitor.goto(link[:-3] + "xx/")
        expect(visitor.get_by_role("alert")).to_contain_text("This rating link is not valid.")
    finally:
        anonymous.close()
    del mail.outbox[:]


def test_the_lead_reads_the_satisfaction_report(live_server, demo, page, login, screenshot):
    sam = User.objects.get(email="agent@support.example")
    customer = User.objects.get(email="admin@acme.example")
    for n, (kind, rating, day) in enumerate(
        [(RatedKind.TICKET, 5, 16), (RatedKind.TICKET, 2, 17), (RatedKind.CHAT, 4, 18)], start=1
    ):
        at = datetime(2026, 11, day, 12, tzinfo=UTC)
        Survey.objects.create(
            kind=kind,
            item_id=1000 + n,
            customer=customer,
            specialist=sam,
            asked_at=at,
            rating=rating,
            first_rated_at=at,
            rated_at=at,
        )
    login(page, "lead@support.example")
    page.goto(f"{live_server.url}/admin/csat/csatreport/")
    rows = page.locator("#csat-report tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_text(
        "2026-11-16\tChat\tSam Specialist\t1\t4.0\t100.0%", use_inner_text=True
    )
    expect(rows.nth(1)).to_have_text(
        "2026-11-16\tTicket\tSam Specialist\t2\t3.5\t50.0%", use_inner_text=True
    )
    screenshot(page, "report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "2026-11-16,Ticket,Sam Specialist,2,3.5,50.0" in text
