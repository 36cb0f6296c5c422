import pytest

from helpdesk.celery import app as celery_app


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in process in tests, even when REDIS_URL points at a real broker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. LocaleMiddleware leaves a request's
    language active in the thread afterwards, and the service messages are translated
    when shown, so a French request in one test would otherwise change the next one's."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing with PBKDF2 dominates a factory-heavy suite; tests don't need its cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright's sync API keeps an event loop in the main thread
    for the session, which async tests (WebsocketCommunicator) cannot share."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))
