from playwright.sync_api import expect


def test_super_admin_logs_in_sees_subscriptions_and_opens_and_closes_help(
    live_server, demo, page, login, screenshot
):
    login(page, "admin@acme.example")
    expect(page.get_by_role("heading", name="Acme Corp")).to_be_visible()
    subscriptions = page.get_by_role("table")
    expect(subscriptions).to_contain_text("Service Hub")
    expect(subscriptions).to_contain_text("Sales Hub")
    expect(subscriptions).to_contain_text("Enterprise")
    screenshot(page, "home")

    help_button = page.get_by_role("button", name="Help", exact=True)
    help_button.click()
    dialog = page.get_by_role("dialog", name="How can we help?")
    expect(dialog).to_be_visible()
    screenshot(page, "help-open")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(help_button).to_be_focused()


def test_wrong_password_is_refused_in_the_browser(live_server, demo, page):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill("admin@acme.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct email address and password")


def test_the_content_security_policy_blocks_inline_script_and_the_watcher_sees_it(
    live_server, browser, page
):
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true'; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in v for v in browser.violations)
    browser.violations.clear()  # expected here; every other test must see none
