"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from django.test import override_settings

from helpdesk.demo import demo_seed

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Every page reports Content-Security-Policy violations to the console, where the
# watcher below collects them; a test that saw one fails.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " in " + e.sourceFile + ":" + e.lineNumber);
});
"""


class CspWatchedBrowser:
    """The Playwright browser, with every new context watched for CSP violations."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and (
            text.startswith("CSP violation") or "Content Security Policy" in text
        ):
            self.violations.append(f"{message.page.url if message.page else '?'}: {text}")

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.add_init_script(CSP_REPORTER)
        context.on("console", self._console)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield CspWatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def _no_csp_violations(browser):
    browser.violations.clear()
    yield
    seen, browser.violations[:] = list(browser.violations), []
    assert seen == [], "Content-Security-Policy violations:\n" + "\n".join(seen)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        return demo_seed()


@pytest.fixture
def portal(demo):
    """The demo served by a real Daphne (WebSockets) with its own redis-server."""
    from tests.chat.servers import DaphneServer, RedisServer

    redis = RedisServer().start()
    server = DaphneServer(redis.url).start().wait()
    yield server
    server.stop()
    redis.stop()


@pytest.fixture
def screenshot(request):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def do_login(page, email: str, password: str = "demo-pass-2026") -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/**")

    return do_login
