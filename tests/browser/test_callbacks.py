import re

from playwright.sync_api import expect

from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from tests.browser.helpers import open_premium_channel


def open_phone_support(page):
    return open_premium_channel(page, "Premium phone support", "phone")


def test_customer_requests_a_callback_and_a_specialist_completes_it(
    live_server, demo, browser, login, screenshot
):
    customer = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    login(customer, "admin@acme.example")
    dialog = open_phone_support(customer)
    phone = dialog.get_by_label("Phone number")
    expect(phone).to_have_value("+1 415 555 0101")  # pre-filled from the profile
    phone.fill("not a number")
    dialog.get_by_label("Topic").fill("Checkout failing for all users")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text("Enter a valid phone number")).to_be_visible()
    assert not CallbackRequest.objects.exists()
    phone.fill("+1 415 555 0101")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_role("status")).to_contain_text("within five minutes")
    expect(dialog.get_by_text("+1 888 555 0142").first).to_be_visible()
    screenshot(customer, "requested")

    agent = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    login(agent, "agent@support.example")
    agent.goto(f"{live_server.url}/admin/callbacks/callbackrequest/")
    row = agent.get_by_role("row", name=re.compile("Checkout failing"))
    expect(row).to_contain_text("Waiting")
    screenshot(agent, "queue")
    expect(row.get_by_role("link", name="+1 415-555-0101")).to_have_attribute(
        "href", "tel:+14155550101"
    )
    waited = row.locator("time.waited")
    first = waited.inner_text()
    expect(waited).not_to_have_text(first, timeout=3000)  # counts up live
    agent.get_by_role("link", name="Checkout failing for all users").click()
    agent.get_by_role("button", name="Claim").click()
    expect(agent.locator(".messagelist")).to_contain_text("You hold callback")
    expect(agent.locator(".fieldBox.field-status")).to_contain_text("In progress")
    agent.get_by_label("Call note").fill("Walked them through the payment settings")
    agent.get_by_role("button", name="Reached").click()
    expect(agent.locator(".messagelist")).to_contain_text("Call recorded")
    agent.get_by_label("Notes on the call").fill("Payment settings fixed")
    agent.get_by_role("button", name="Complete", exact=True).click()
    expect(agent.locator(".messagelist")).to_contain_text("is completed")
    expect(agent.locator(".fieldBox.field-status")).to_contain_text("Completed")
    screenshot(agent, "completed")
    callback = CallbackRequest.objects.get()
    assert callback.status == CallbackStatus.COMPLETED
    assert callback.attempts.get().outcome == "reached"

    customer.keyboard.press("Escape")
    customer.goto(f"{live_server.url}/tickets/")
    expect(customer.get_by_role("row", name=re.compile("Checkout failing"))).to_contain_text(
        "Completed"
    )
    screenshot(customer, "customer-status")
