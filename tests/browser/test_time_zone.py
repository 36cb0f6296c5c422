"""The browser's time zone is detected once and saved on the profile; the ticket
confirmation then gives the deadline in it (Chromium started in Europe/Paris). The
profile page changes language and zone."""

import zoneinfo

from playwright.sync_api import expect

from accounts.models import User
from helpdesk.tickets.models import Ticket
from tests.browser.test_tickets import open_email_support


def test_the_confirmation_gives_the_deadline_in_the_browsers_zone(
    live_server, demo, browser, login, screenshot
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-US", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "admin@acme.example")
        expect(page.locator("body")).to_have_attribute("data-tz-detected", "Europe/Paris")
        assert User.objects.get(email="admin@acme.example").time_zone == "Europe/Paris"
        dialog = open_email_support(page)
        dialog.get_by_label("Subject").fill("Reports are empty")
        dialog.get_by_label("Describe the problem").fill("Since this morning.")
        dialog.get_by_role("button", name="Submit").click()
        confirmation = dialog.get_by_role("status")
        expect(confirmation).to_contain_text("submitted")
        due = Ticket.objects.get().due_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
        expect(confirmation).to_contain_text(f"by {due:%H:%M} on {due.day} {due:%b %Y}")
        expect(confirmation).to_contain_text("(Europe/Paris)")
        screenshot(page, "confirmation-paris")
        # Detected once: the next page does not ask again.
        page.goto(f"{live_server.url}/tickets/")
        assert page.locator("body").get_attribute("data-tz-detect-url") is None
    finally:
        context.close()


def test_the_profile_page_changes_language_and_zone(live_server, demo, page, login, screenshot):
    login(page, "user@acme.example")
    page.get_by_role("link", name="Profile").click()
    page.get_by_role("main").get_by_label("Language").select_option("ja")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()
    expect(page.get_by_label("タイムゾーン")).to_have_value("Asia/Tokyo")
    screenshot(page, "profile-ja")
    user = User.objects.get(email="user@acme.example")
    assert (user.language, user.time_zone, user.time_zone_chosen) == ("ja", "Asia/Tokyo", True)
