"""Every customer page at 390 px: nothing scrolls sideways and the dialog is a
full-screen sheet; the portal and the dialog in the dark theme (screenshots)."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from helpdesk.csat import services as csat_services
from helpdesk.csat.models import Survey
from helpdesk.kb.models import Article
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import TicketStatus
from tests.factories import ticket_for


def _customer_pages(live_server):
    customer = User.objects.get(email="admin@acme.example")
    agent = User.objects.get(email="agent@support.example")
    open_ticket = ticket_for(customer, subject="A rather long subject for a narrow screen: exports")
    ticket_services.ticket_reply(
        ticket=open_ticket, author=agent, body="Looking at it now.", visibility="public"
    )
    solved = ticket_for(customer, subject="Solved one")
    ticket_services.ticket_set_status(ticket=solved, status=TicketStatus.SOLVED, actor=agent)
    article = Article.objects.filter(language="en").first()
    link = csat_services.survey_link(Survey.objects.get())
    return [
        ("home", "/"),
        ("kb", "/kb/"),
        ("kb-search", "/kb/?q=callback"),
        ("article", article.get_absolute_url()),
        ("tickets", "/tickets/"),
        ("ticket", f"/tickets/{open_ticket.pk}/"),
        ("ticket-solved", f"/tickets/{solved.pk}/"),
        ("ticket-new", "/tickets/new/"),
        ("profile", "/account/profile/"),
        ("password", "/password/change/"),
        ("rating-link", link[link.index("/satisfaction/") :]),
    ]


def _no_sideways_scroll(page, name):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths[0]} > {widths[1]} px"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_every_customer_page_fits_390_px_and_the_dialog_is_a_sheet(
    live_server, demo, phone, login, screenshot, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    pages = _customer_pages(live_server)
    login(phone, "admin@acme.example")
    for name, path in pages:
        phone.goto(f"{live_server.url}{path}")
        _no_sideways_scroll(phone, name)
        if name in ("tickets", "ticket", "ticket-solved", "home"):
            screenshot(phone, name)
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("button", name="Help", exact=True).click()
    dialog = phone.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] == 0 and box["y"] == 0
    assert box["width"] == 390 and box["height"] == 844
    _no_sideways_scroll(phone, "dialog")
    screenshot(phone, "dialog-sheet")
    phone.context.clear_cookies()
    phone.goto(f"{live_server.url}/login/")
    _no_sideways_scroll(phone, "login")


def test_dark_theme_follows_the_system(live_server, demo, browser, login, screenshot):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-US", color_scheme="dark"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "admin@acme.example")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background not in ("rgb(245, 247, 251)", "rgb(255, 255, 255)")
        screenshot(page, "home-dark")
        page.get_by_role("button", name="Help", exact=True).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        screenshot(page, "dialog-dark")
        # The chat log is dark too (it once stayed light, with grey bubbles on it).
        log = page.evaluate(
            "() => getComputedStyle(document.querySelector('.chat-log')).backgroundColor"
        )
        assert log not in ("rgb(247, 248, 252)", "rgb(255, 255, 255)")
        page.keyboard.press("Escape")
        page.goto(f"{live_server.url}/tickets/")
        screenshot(page, "tickets-dark")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_french_and_japanese_pages_fit_390_px_too(live_server, demo, phone, login, language):
    """Longer labels ("Modifier le mot de passe", "Base de connaissances") wrap in the
    header instead of pushing the Help button off a phone's screen."""
    login(phone, "admin@acme.example")
    phone.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for name, path in [("home", "/"), ("tickets", "/tickets/"), ("profile", "/account/profile/")]:
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.lang") == language
        _no_sideways_scroll(phone, f"{name} ({language})")
    help_box = phone.locator("#help-button").bounding_box()
    assert help_box["x"] + help_box["width"] <= 390
