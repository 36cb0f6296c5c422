"""Production settings pass Django's deploy check; every response carries the
Content-Security-Policy and Permissions-Policy; links in emails follow PORT."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

# The README's "Production" environment for a portal behind a TLS-terminating proxy.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#Kq2!vLp9@Zr4$Wm8^Tn3&Yb6*Hc1(Fd5)Gs0-Jk2+Lq7=Mw9",
    "ALLOWED_HOSTS": "desk.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://desk.example.com",
    "PORTAL_BASE_URL": "https://desk.example.com",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "TRUSTED_PROXIES": "1",
}


def _env(**overrides: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "DATABASE_URL", "REDIS_URL", "LANG", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(overrides)
    return env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _setting(name: str, env: dict[str, str]) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_deploy_check_passes_with_the_documented_production_environment():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=_env(**PRODUCTION))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_names_what_is_missing_without_the_proxy_variables():
    env = _env(**PRODUCTION)
    for name in ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"):
        env.pop(name)
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_cookies_are_secure_by_default_with_debug_off():
    env = _env(**PRODUCTION)
    assert _setting("SESSION_COOKIE_SECURE", env) == "True"
    assert _setting("CSRF_COOKIE_SECURE", env) == "True"
    assert _setting("SECURE_PROXY_SSL_HEADER", env) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    # A laptop run over plain http says so explicitly.
    assert _setting("SESSION_COOKIE_SECURE", _env(DEBUG="true")) == "False"


def test_portal_base_url_follows_port_unless_set():
    assert _setting("PORTAL_BASE_URL", _env(DEBUG="true", PORT="8641")) == "http://127.0.0.1:8641"
    assert _setting("PORTAL_BASE_URL", _env(DEBUG="true")) == "http://127.0.0.1:8000"
    assert (
        _setting("PORTAL_BASE_URL", _env(DEBUG="true", PORT="8641", PORTAL_BASE_URL="https://d.x"))
        == "https://d.x"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "kb_index", "admin:login"])
def test_every_page_carries_a_strict_content_security_policy(client, url_name):
    response = client.get(reverse(url_name))
    policy = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert "'self'" in policy["connect-src"]
    assert policy["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
