from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from helpdesk.tickets.models import Ticket
from tests.browser.helpers import open_premium_channel


def open_email_support(page):
    return open_premium_channel(page, "Premium email support", "email")


def test_super_admin_submits_a_business_critical_ticket_and_sees_a_30_minute_deadline(
    live_server, demo, page, login, screenshot
):
    login(page, "admin@acme.example")
    dialog = open_email_support(page)
    dialog.get_by_label("Subject").fill("Nobody can log in")
    dialog.get_by_label("Describe the problem").fill("SSO fails for every user since 09:00.")
    checkbox = dialog.get_by_label("Business-critical issue")
    expect(checkbox).to_be_visible()
    expect(dialog.get_by_text("a very serious impact on your normal operations")).to_be_visible()
    checkbox.check()
    screenshot(page, "form")
    before = timezone.now()
    dialog.get_by_role("button", name="Submit").click()
    confirmation = dialog.get_by_role("status")
    expect(confirmation).to_contain_text("submitted")
    expect(confirmation).to_contain_text("within 30 minutes")
    screenshot(page, "confirmation")
    ticket = Ticket.objects.get()
    assert ticket.business_critical
    assert before <= ticket.created_at <= timezone.now()
    assert ticket.due_at - ticket.created_at == timedelta(minutes=30)
    local_due = timezone.localtime(ticket.due_at).strftime("%H:%M")  # demo users are in UTC
    expect(confirmation).to_contain_text(local_due)


def test_regular_user_sees_no_checkbox_and_the_target_wording(
    live_server, demo, page, login, screenshot
):
    login(page, "user@acme.example")
    dialog = open_email_support(page)
    expect(dialog.get_by_label("Subject")).to_be_visible()
    expect(dialog.get_by_label("Business-critical issue")).to_have_count(0)
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text("Enter a subject.")).to_be_visible()
    assert not Ticket.objects.exists()
    dialog.get_by_label("Subject").fill("How do I export a dashboard?")
    dialog.get_by_label("Describe the problem").fill("Looking for the CSV option.")
    dialog.get_by_role("button", name="Submit").click()
    confirmation = dialog.get_by_role("status")
    expect(confirmation).to_contain_text("within one business day")
    expect(confirmation).to_contain_text("not a guarantee")
    screenshot(page, "confirmation")


def test_specialist_replies_in_the_admin_and_the_customer_sees_it(
    live_server, demo, context, login, screenshot
):
    customer = context.new_page()
    login(customer, "admin@acme.example")
    dialog = open_email_support(customer)
    dialog.get_by_label("Subject").fill("Reports are empty")
    dialog.get_by_label("Describe the problem").fill("Since this morning.")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_role("status")).to_contain_text("submitted")
    ticket = Ticket.objects.get()
    customer.keyboard.press("Escape")
    customer.get_by_role("button", name="Log out").click()

    agent = customer
    login(agent, "agent@support.example")
    agent.goto(f"{live_server.url}/admin/tickets/ticket/")
    expect(agent.get_by_role("link", name="Reports are empty")).to_be_visible()
    screenshot(agent, "admin-list")
    agent.get_by_role("link", name="Reports are empty").click()
    agent.get_by_role("textbox", name="Reply to the customer").fill(
        "We restored the data source; please check again."
    )
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".messagelist")).to_contain_text("Reply sent.")
    ticket.refresh_from_db()
    assert ticket.answered_at is not None
    agent.goto(f"{live_server.url}/admin/tickets/ticket/{ticket.pk}/change/")
    screenshot(agent, "admin-ticket")
    agent.get_by_role("button", name="Log out").click()

    login(customer, "admin@acme.example")
    customer.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(customer.get_by_text("We restored the data source; please check again.")).to_be_visible()
    expect(customer.get_by_text("Waiting on customer")).to_be_visible()
    screenshot(customer, "customer-ticket")


def test_the_dialog_shows_the_input_rules_message_beside_the_field(
    live_server, demo, page, login, screenshot
):
    login(page, "user@acme.example")
    dialog = open_email_support(page)
    # Pasted from a terminal: an escape sequence in the description; a right-to-left
    # override in the subject, which is removed rather than refused.
    dialog.get_by_label("Subject").fill("Invoice \u202efdp.exe overdue")
    description = dialog.get_by_label("Describe the problem")
    description.fill("The log says \x1b[31mERROR\x1b[0m.")
    dialog.get_by_role("button", name="Submit").click()
    form = dialog.locator("#ticket-form")
    expect(form.locator('[data-error-for="description"]')).to_have_text(
        "Remove the invisible control characters from this text."
    )
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(form.locator('[data-error-for="subject"]')).to_have_text("")
    screenshot(page, "control-characters")
    assert not Ticket.objects.exists()
    description.fill("The log says ERROR.\n\tLine 2")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_role("status")).to_contain_text("submitted")
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == (
        "Invoice fdp.exe overdue",
        "The log says ERROR.\n\tLine 2",
    )
