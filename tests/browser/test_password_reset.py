"""Password reset end to end in Chromium, the email read from the console backend; and a
password change from the navigation bar."""

import re

from playwright.sync_api import expect

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
NEW_PASSWORD = "lantern-orchard-1987"


def _reset_links(output: str, base: str) -> list[str]:
    return re.findall(re.escape(base) + r"/password/reset/[^/\s]+/[^/\s]+/", output)


def test_forgotten_password_is_reset_from_the_emailed_link(
    live_server, demo, page, login, screenshot, settings, capfd
):
    settings.EMAIL_BACKEND = CONSOLE_EMAIL
    settings.PORTAL_BASE_URL = live_server.url
    capfd.readouterr()

    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()

    # An address without an account: the same answer, and no email.
    page.get_by_label("Email").fill("nobody@acme.example")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert _reset_links(capfd.readouterr().out, live_server.url) == []

    page.goto(f"{live_server.url}/password/reset/")
    page.get_by_label("Email").fill("user@acme.example")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("The link works once, for 60 minutes.")).to_be_visible()
    screenshot(page, "sent")

    output = capfd.readouterr().out
    assert "To: user@acme.example" in output
    assert "Subject: Reset your Premium Desk password" in output
    [link] = _reset_links(output, live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password confirmation").fill("password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the error below.")
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    screenshot(page, "refused")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()
    page.get_by_role("link", name="Log in").click()

    login(page, "user@acme.example", NEW_PASSWORD)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Password reset links work once")
    screenshot(page, "used-link")


def test_password_is_changed_from_the_navigation_bar(live_server, demo, page, login, screenshot):
    login(page, "user@acme.example")
    # Within reach on a phone too.
    page.set_viewport_size({"width": 390, "height": 800})
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    screenshot(page, "phone-nav")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    page.get_by_label("Old password").fill("demo-pass-2026")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    screenshot(page, "form")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()

    # Still logged in; the next login takes the new password.
    page.get_by_role("link", name="Home").first.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    login(page, "user@acme.example", NEW_PASSWORD)
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
