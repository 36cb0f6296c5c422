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
    agent.get_by_role("link", name="Checkout failing for all users").click()
    agent.get_by_label("Claim this callback").check()
    agent.get_by_role("button", name="Save and continue editing").click()
    expect(agent.locator(".fieldBox.field-status")).to_contain_text("In progress")
    agent.get_by_label("Record a call").select_option("reached")
    agent.get_by_label("Call note").fill("Walked them through the payment settings")
    agent.get_by_label("Mark completed").check()
    agent.get_by_role("button", name="Save and continue editing").click()
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
