"""The IMAP server fixture, for the modules that poll a real mailbox (import it)."""

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from tests.email.dovecot import server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def imap_url():
    """TEST_IMAP_URL (.ci/run's server), else a dovecot of our own, else skip; under
    CI=true a missing server fails instead."""
    url = os.environ.get("TEST_IMAP_URL")
    if url:
        yield url
        return
    if not server.available():
        message = (
            "dovecot-imapd is not installed (apt-get install dovecot-imapd); "
            "the IMAP tests need a real IMAP server"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's own temporary folder: that one is private to the user running
    # the tests, and dovecot's processes run as its own user when that is root.
    directory = Path(tempfile.mkdtemp(prefix="pd-dovecot-"))
    url = server.start(directory, _free_port())
    yield url
    server.stop(directory)
    shutil.rmtree(directory, ignore_errors=True)
