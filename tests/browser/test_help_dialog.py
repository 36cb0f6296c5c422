"""The help dialog in Chromium: ask a question, pick a suggestion with the keyboard,
vote, and open Contact us as each demo customer."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from helpdesk.kb.models import ArticleFeedback, HelpQuestion

MOBILE_APP_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) PremiumDeskMobile/3.2"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Seeding hashes five demo passwords; the production hasher makes that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _open_help(page):
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_type_a_question_pick_a_suggestion_with_the_keyboard_and_vote(
    live_server, demo, page, login, screenshot
):
    login(page, "admin@acme.example")
    dialog = _open_help(page)
    question = dialog.get_by_role("combobox", name="Ask a question")
    expect(question).to_be_focused()
    question.press_sequentially("request a callb", delay=20)
    options = dialog.get_by_role("option")
    expect(options.first).to_contain_text("Request a phone callback")
    expect(question).to_have_attribute("aria-expanded", "true")
    expect(dialog.get_by_role("status")).to_contain_text("suggested")
    screenshot(page, "suggestions")

    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(question).to_have_attribute("aria-activedescendant", "help-suggestion-0")
    page.keyboard.press("Enter")

    # The article opens inside the dialog, with Back to the question as typed...
    in_dialog = dialog.get_by_role("heading", name="Request a phone callback", level=3)
    expect(in_dialog).to_be_focused()
    assert page.url == f"{live_server.url}/"
    asked = HelpQuestion.objects.get()
    assert asked.question == "request a callb"
    assert asked.opened_article.slug == "request-a-phone-callback"
    dialog.get_by_role("button", name="Back").click()
    expect(question).to_have_value("request a callb")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    # ...and still has its own page.
    dialog.get_by_role("link", name="Open this article as a page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a phone callback")
    assert page.url == f"{live_server.url}/kb/request-a-phone-callback/"

    page.get_by_label("Anything we should add or fix? (optional)").fill("Very clear, thanks.")
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("You said this article was helpful.")).to_be_visible()
    expect(page.get_by_label("Anything we should add or fix? (optional)")).to_have_value(
        "Very clear, thanks."
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "voted")
    # Change the vote: the later one replaces it.
    page.get_by_role("button", name="No").click()
    expect(page.get_by_text("You said this article was not helpful.")).to_be_visible()
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful is False and feedback.article.slug == "request-a-phone-callback"


@pytest.mark.parametrize(
    ("email", "channels"),
    [
        ("admin@acme.example", ["Premium chat", "Premium email support", "Premium phone support"]),
        ("user@acme.example", ["Premium chat", "Premium email support", "Premium phone support"]),
        ("user@basic.example", []),
    ],
    ids=["acme-super-admin", "acme-regular-user", "basic-user"],
)
def test_contact_us_shows_exactly_the_channels_of_each_demo_customer(
    live_server, demo, page, login, screenshot, email, channels
):
    login(page, email)
    dialog = _open_help(page)
    dialog.get_by_role("button", name="Contact us").click()
    expect(dialog.get_by_role("heading", name="Contact Premium Support")).to_be_visible()
    buttons = dialog.locator("[data-help-channel]")
    expect(buttons).to_have_count(len(channels))
    for index, name in enumerate(channels):
        expect(buttons.nth(index)).to_contain_text(name)
    screenshot(page, "channels")
    if channels:
        expect(buttons.first).to_be_focused()
        expect(dialog).to_contain_text("Premium support is provided in English only.")
        expect(dialog.get_by_role("link", name="+1 888 555 0142")).to_be_visible()
        # Keyboard: Tab to the email channel and open it.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(dialog.locator('.help-step[data-step="email"]')).to_be_visible()
        dialog.get_by_role("button", name="Back").click()
        expect(dialog.locator('.help-step[data-step="channels"]')).to_be_visible()
    else:
        expect(dialog).to_contain_text("Your account has no active Premium Support purchase.")
        expect(dialog).to_contain_text("Premium Support is an add-on for accounts")
        expect(dialog.get_by_role("link", name="+1 888 555 0142")).to_have_count(0)
        # A next step: ask about Premium Support, or the knowledge base; focus on the heading.
        expect(dialog.get_by_role("heading", name="Contact Premium Support")).to_be_focused()
        expect(dialog.get_by_role("link", name="Ask about Premium Support")).to_have_attribute(
            "href", settings.PREMIUM_SUPPORT_URL
        )
        expect(dialog.get_by_role("link", name="Browse the knowledge base").last).to_be_visible()
        dialog.get_by_role("button", name="Ask a question").click()
        expect(dialog.get_by_role("combobox")).to_be_focused()
        dialog.get_by_role("button", name="Contact us").click()
    assert HelpQuestion.objects.filter(contacted_at__isnull=False).count() == 1
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Help", exact=True)).to_be_focused()


def test_mobile_app_gets_the_knowledge_base_and_a_notice_but_no_channel(
    live_server, demo, browser, login, screenshot
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=MOBILE_APP_UA, locale="en-US"
    )
    page = context.new_page()
    try:
        login(page, "admin@acme.example")
        dialog = _open_help(page)
        dialog.get_by_role("combobox").press_sequentially("business critical", delay=20)
        expect(dialog.get_by_role("option").first).to_contain_text("business-critical")
        dialog.get_by_role("button", name="Contact us").click()
        expect(dialog.locator("[data-help-channel]")).to_have_count(0)
        expect(dialog).to_contain_text("Premium support is not available in the mobile app")
        screenshot(page, "mobile")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("locale", "question", "title", "label"),
    [
        ("fr-FR", "rappel", "Demander un rappel téléphonique", "Posez une question"),
        ("ja-JP", "ビジネスクリティカル", "ビジネスクリティカルな問題とは", "質問を入力"),
    ],
    ids=["french", "japanese"],
)
def test_suggestions_in_french_and_japanese(
    live_server, demo, browser, screenshot, locale, question, title, label
):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale=locale)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/kb/")
        page.locator("#help-button").click()
        dialog = page.get_by_role("dialog")
        field = dialog.get_by_role("combobox", name=label)
        field.press_sequentially(question, delay=20)
        expect(dialog.get_by_role("option").first).to_contain_text(title)
        screenshot(page, locale)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        # Inside the dialog, in the article's language.
        expect(dialog.get_by_role("heading", level=3, name=title)).to_be_visible()
    finally:
        context.close()


def test_on_a_phone_wide_screen_the_help_button_and_my_tickets_stay_reachable(
    live_server, demo, browser, login, screenshot
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    try:
        login(page, "admin@acme.example")
        help_button = page.get_by_role("button", name="Help", exact=True)
        box = help_button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        expect(page.get_by_role("link", name="My tickets")).to_be_visible()
        screenshot(page, "phone-width")
        help_button.click()
        expect(page.get_by_role("dialog")).to_be_visible()
    finally:
        context.close()
