import re
import time
from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import User


def app_code(secret: str, *, after_step: int = -1) -> str:
    """What an authenticator app shows for `secret`, at a step later than `after_step`
    (each code works once, so a second login within 30 s needs the next one)."""
    now_step = int(time.time()) // 30
    drift = max(0, after_step + 1 - now_step)
    return f"{totp(b32decode(secret.replace(' ', '')), drift=drift):06d}"


def test_specialist_enrols_from_the_admin_and_is_asked_for_the_code_at_next_login(
    live_server, demo, page, login, screenshot
):
    login(page, "agent@support.example")
    expect(page).to_have_url(f"{live_server.url}/admin/inbox/")  # the staff landing page
    page.locator("#user-tools").get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the SVG drew (CSP allows data:)
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    screenshot(page, "setup")

    page.get_by_label("6-digit code").fill(f"{(int(app_code(secret)) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("That code is not valid.")).to_be_visible()
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    page.get_by_label("6-digit code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("they are shown only this once")).to_be_visible()
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name="I saved them: continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")

    page.get_by_role("button", name="Log out").click()
    login(page, "agent@support.example")
    expect(
        page.get_by_role("heading", name="Two-factor authentication", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app")).to_be_visible()
    screenshot(page, "verify")
    page.goto(f"{live_server.url}/chat/console/")  # the console is locked too
    expect(
        page.get_by_role("heading", name="Two-factor authentication", exact=True)
    ).to_be_visible()

    agent = User.objects.get(email="agent@support.example")
    last_step = TOTPDevice.objects.get(user=agent).last_t
    page.get_by_label("Code").fill(app_code(secret, after_step=last_step))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/chat/console/")

    page.goto(f"{live_server.url}/account/two-factor/")
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off two-factor authentication")).to_be_visible()
    screenshot(page, "overview")


def test_with_two_factor_required_a_lead_is_sent_to_set_it_up(
    live_server, demo, page, login, settings, screenshot
):
    settings.STAFF_REQUIRE_2FA = True
    login(page, "lead@support.example")
    expect(
        page.get_by_text("Your team requires two-factor authentication for staff")
    ).to_be_visible()
    page.goto(f"{live_server.url}/admin/tickets/ticket/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next="))
    expect(page.get_by_role("button", name="Set up two-factor authentication")).to_be_visible()
    screenshot(page, "required")
