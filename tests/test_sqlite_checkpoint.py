"""WAL checkpoints of the embedded SQLite database run outside commits."""

import sqlite3
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.core import sqlite_checkpoint
from helpdesk.core.sqlite_checkpoint import checkpoint


def test_a_passive_checkpoint_copies_the_whole_log_back(tmp_path):
    db = sqlite3.connect(tmp_path / "portal.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # as the web process's connections
    db.execute("CREATE TABLE message (body TEXT)")
    with db:
        db.executemany("INSERT INTO message VALUES (?)", [("x" * 500,)] * 20_000)
    busy, frames, copied = checkpoint(sqlite3.connect(tmp_path / "portal.sqlite3"))
    # Nothing was checkpointed by the commits: the whole log (well over SQLite's
    # 1,000-page automatic threshold) is copied now, by the thread's call.
    assert (busy, copied) == (0, frames) and frames > 1_000


@pytest.mark.django_db(transaction=True)
def test_the_web_process_checkpoints_from_a_thread_not_in_commits():
    from helpdesk.asgi import application  # noqa: F401 - the web process starts it

    if connection.vendor != "sqlite":
        assert sqlite_checkpoint.start() is False  # PostgreSQL: nothing to do
        return
    connection.close()  # connections made from now on are the web process's
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
        cursor.execute("CREATE TABLE bench_rows (body TEXT)")
        cursor.executemany("INSERT INTO bench_rows VALUES (%s)", [("x" * 500,)] * 5_000)
        cursor.execute("DROP TABLE bench_rows")
    # The log is copied back by the thread within a couple of its rounds.
    deadline = time.monotonic() + 5
    while (state := wal_state(connection.settings_dict["NAME"]))[0] > state[1]:
        assert time.monotonic() < deadline, f"frames in the log, copied back: {state}"
        time.sleep(0.1)


def wal_state(path: str) -> tuple[int, int]:
    """(frames in the log, frames copied back), read from the WAL index without
    checkpointing (SQLite's wal-index header: mxFrame at byte 16, nBackfill at 96)."""
    shm = Path(f"{path}-shm").read_bytes()
    return (
        int.from_bytes(shm[16:20], sys.byteorder),
        int.from_bytes(shm[96:100], sys.byteorder),
    )
