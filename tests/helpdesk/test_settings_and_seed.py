import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import Account, Role, User
from accounts.selectors import entitlement_for
from helpdesk.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_missing_secret_key_with_debug_off_stops_startup_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug_unless_forced():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.filter(email="admin@acme.example").exists()
    call_command("seed_demo", "--force")
    assert User.objects.filter(email="admin@acme.example").exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_builds_the_demo_accounts():
    call_command("seed_demo")
    call_command("seed_demo")
    assert Account.objects.count() == 2
    admin = User.objects.get(email="admin@acme.example")
    assert admin.role == Role.SUPER_ADMIN and admin.account.name == "Acme Corp"
    assert admin.check_password(DEMO_PASSWORD)
    assert entitlement_for(user=admin).allowed
    assert entitlement_for(user=User.objects.get(email="user@acme.example")).allowed
    assert not entitlement_for(user=User.objects.get(email="user@basic.example")).allowed
    lead = User.objects.get(email="lead@support.example")
    assert lead.is_staff and lead.groups.filter(name="Leads").exists()
    agent = User.objects.get(email="agent@support.example")
    assert agent.is_staff and agent.groups.filter(name="Specialists").exists()
