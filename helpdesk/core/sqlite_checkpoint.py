"""SQLite only (the embedded default of `make run`): write-ahead log checkpoints off
the request path.

SQLite copies its write-ahead log back into the database file whenever a commit finds
the log over 1,000 pages, inside that commit, with an fsync. bench/chat_roundtrip.py
showed it: every few hundred chat messages one took 12-27 ms instead of 2, which was
the whole p99. The web process (helpdesk.asgi) therefore turns that off for its own
connections and checkpoints from a thread once a second instead; the Celery processes
keep SQLite's default, which rarely has anything left to do."""

import logging
import sqlite3
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0

_started = threading.Event()


def checkpoint(db: sqlite3.Connection) -> tuple[int, int, int]:
    """One passive checkpoint: copies what it can without waiting for readers or
    writers. Returns SQLite's (busy, log frames, frames checkpointed)."""
    return db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


def _database_path() -> str | None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return str(database["NAME"])  # read each time: a test run switches to its own file


def _no_autocheckpoint(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")


def _run() -> None:
    db, open_path = None, None
    while True:
        time.sleep(INTERVAL_SECONDS)
        path = _database_path()
        try:
            if path != open_path:
                if db is not None:
                    db.close()
                db, open_path = None, None
                if path and Path(path).exists():  # never create a database file
                    db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1)
                    open_path = path  # else: look again next round
            if db is not None:
                checkpoint(db)
        except sqlite3.Error:
            logger.warning("SQLite checkpoint failed; retrying", exc_info=True)
            if db is not None:
                with suppress(sqlite3.Error):
                    db.close()
            db, open_path = None, None


def start() -> bool:
    """In the web process, with SQLite: checkpoint from a thread, not in commits.
    True if started (once per process)."""
    if _database_path() is None or _started.is_set():
        return False
    _started.set()
    connection_created.connect(_no_autocheckpoint)
    threading.Thread(target=_run, name="sqlite-checkpoint", daemon=True).start()
    return True
