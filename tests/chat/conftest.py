import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from chat.consumers import rate_limiter
from helpdesk.asgi import application
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory

ORIGIN = (b"origin", b"http://127.0.0.1")


def run_async(coro_fn, *args):
    """Run an async test body to completion in its own thread and event loop: the
    browser tests' Playwright keeps a loop in the main thread for the whole session."""

    def in_thread():
        try:
            return async_to_sync(coro_fn)(*args)
        finally:
            # The consumers' database calls ran in this thread; let the test database go.
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    rate_limiter.counts.clear()
    yield


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Socket:
    """A WebsocketCommunicator through the real ASGI stack (origin check, session auth)."""

    def __init__(self, path: str, cookie: str | None, origin: tuple = ORIGIN) -> None:
        headers = [origin] if origin else []
        if cookie:
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        self.comm = WebsocketCommunicator(application, path, headers=headers)

    async def connect(self) -> bool:
        connected, _ = await self.comm.connect(timeout=5)
        return connected

    async def send(self, frame: dict) -> None:
        await self.comm.send_to(text_data=json.dumps(frame))

    async def send_raw(self, text: str | None = None, data: bytes | None = None) -> None:
        await self.comm.send_to(text_data=text, bytes_data=data)

    async def recv(self, timeout: float = 10) -> dict:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def recv_type(self, kind: str, timeout: float = 10) -> dict:
        """Skip other frames (queue updates and the like) until one of this type."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest.fixture
def customer(transactional_db):
    return SuperAdminFactory(full_name="Ada Admin")


@pytest.fixture
def specialist(transactional_db):
    return StaffFactory(full_name="Sam Specialist")


@pytest.fixture
def plain_customer(transactional_db):
    """A customer whose account has no Premium Support."""
    return UserFactory()
