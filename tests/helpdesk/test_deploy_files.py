"""The shipped topology files agree with the settings they depend on."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_nginx_refuses_the_bodies_django_would_refuse(settings):
    conf = (ROOT / "deploy/nginx.conf").read_text()
    limit = int(re.search(r"client_max_body_size (\d+);", conf).group(1))
    assert limit == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_nginx_sets_the_client_address_and_keeps_sockets_past_the_heartbeat():
    conf = (ROOT / "deploy/nginx.conf").read_text()
    # Set from the connection, never appended to what the client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf
    client = (ROOT / "static/js/chat-client.js").read_text()
    heartbeat_ms = int(re.search(r'send\(\{ type: "ping" \}\); \}, (\d+)\)', client).group(1))
    ws_block = conf[conf.index("location /ws/") :]
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", ws_block).group(1))
    assert read_timeout >= 3 * heartbeat_ms / 1000


def test_the_procfile_runs_every_process_of_the_shape():
    lines = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(lines) == {"web", "ws", "worker_sla", "worker_mail", "scheduler"}
    assert "-Q sla " in lines["worker_sla"] and "-Q celery " in lines["worker_mail"]


def test_transaction_pooling_turns_off_what_cannot_outlive_a_transaction():
    import os
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'), "
        "s.ASYNC_DB_PREPARE_STATEMENTS)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "SECRET_KEY": "x"}
    for mode, expected in (("transaction", "True False"), ("session", "None True")):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "DATABASE_POOL_MODE": mode},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")[-2]
        assert out == expected, mode
