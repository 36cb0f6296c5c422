"""axe-core (from npm, in ./node_modules; `.ci/run` installs it) on the customer's pages:
login, home with the help dialog open, an article, the chat, My tickets and a ticket.
Any serious or critical violation fails. Without axe-core the tests skip, except under
CI=true, where they fail."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from helpdesk.kb.models import Article
from tests.browser.test_chat import _chat_accepted
from tests.factories import ticket_for

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): npm install axe-core"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def _audit(page, axe_source, name):
    """Run axe in the page (evaluated over the DevTools protocol, so the page's CSP
    stays as it is) and fail on serious or critical violations."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ' (' + v.impact + '): '"
        " + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert result == [], f"{name}: " + "; ".join(result)


def test_the_customer_pages_have_no_serious_violations(live_server, demo, page, login, axe_source):
    page.goto(f"{live_server.url}/login/")
    _audit(page, axe_source, "login")
    login(page, "admin@acme.example")
    page.get_by_role("button", name="Help", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    _audit(page, axe_source, "home with the dialog")
    page.keyboard.press("Escape")
    article = Article.objects.filter(language="en").first()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    _audit(page, axe_source, "article")
    customer = User.objects.get(email="admin@acme.example")
    ticket = ticket_for(customer)
    page.goto(f"{live_server.url}/tickets/")
    _audit(page, axe_source, "my tickets")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    _audit(page, axe_source, "ticket")
    page.goto(f"{live_server.url}/account/profile/")
    _audit(page, axe_source, "profile")


def test_the_chat_has_no_serious_violations(portal, browser, axe_source):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        agent.locator("#console-input").fill("Hello, looking at it.")
        agent.locator("#console-input").press("Enter")
        expect(dialog.locator(".chat-msg-specialist")).to_be_visible()
        _audit(customer, axe_source, "chat")
        # Ending uses the dialog's own confirmation, never the browser's confirm box.
        boxes = []
        customer.on("dialog", lambda d: (boxes.append(d.message), d.dismiss()))
        dialog.get_by_role("button", name="End chat").click()
        confirm = dialog.get_by_role("group", name="End this chat?")
        expect(confirm.get_by_role("button", name="Keep chatting")).to_be_focused()
        _audit(customer, axe_source, "chat end confirmation")
        confirm.get_by_role("button", name="Keep chatting").click()
        expect(confirm).to_be_hidden()
        dialog.get_by_role("button", name="End chat").click()
        confirm.get_by_role("button", name="End chat").click()
        expect(dialog.get_by_text("You ended the chat.")).to_be_visible()
        assert boxes == []
    finally:
        specialist_ctx.close()
        customer_ctx.close()


def test_esc_closes_the_suggestion_list_first_then_the_dialog(live_server, demo, page, login):
    login(page, "admin@acme.example")
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog")
    question = dialog.get_by_role("combobox")
    question.press_sequentially("callback", delay=20)
    expect(dialog.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog.get_by_role("listbox")).to_be_hidden()
    expect(question).to_have_attribute("aria-expanded", "false")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_dialog_home_and_an_article_inside_it_have_no_serious_violations(
    live_server, demo, page, login, axe_source
):
    login(page, "admin@acme.example")
    ticket_for(User.objects.get(email="admin@acme.example"), subject="Exports are empty")
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("region", name="Your conversations")).to_be_visible()
    _audit(page, axe_source, "dialog home with conversations")
    dialog.get_by_role("combobox", name="Ask a question").press_sequentially("callb", delay=20)
    expect(dialog.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(dialog.locator(".kb-article-in-dialog")).to_be_visible()
    dialog.get_by_role("button", name="No", exact=True).click()
    expect(dialog.locator("[data-kb-not-helpful]")).to_be_visible()
    _audit(page, axe_source, "article inside the dialog, after No")
