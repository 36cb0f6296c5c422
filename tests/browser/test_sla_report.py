"""The leads' SLA attainment report as a lead meets it: a week with every outcome, the
stopped column, the per-specialist switch and the CSV link."""

import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.sla.test_reports import build_known_week

SHOTS = Path("/tmp/shots")


def _last_monday() -> datetime:
    today = timezone.now().astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return datetime.combine(monday, time(10, 0), tzinfo=UTC)


def test_lead_reads_stopped_clocks_apart_and_switches_to_specialists(
    demo, live_server, page, login, screenshot
):
    monday = _last_monday()
    build_known_week(
        monday,
        ada=User.objects.get(email="agent@support.example"),
        bob=User.objects.get(email="lead@support.example"),
    )
    login(page, "lead@support.example")
    page.goto(f"{live_server.url}/admin/tickets/slaattainmentreport/")
    table = page.locator("#sla-report")
    expect(table.get_by_role("columnheader", name="Stopped")).to_be_visible()
    week = monday.date().isoformat()
    chats = table.get_by_role("row").filter(has_text=week).filter(has_text="Waiting chat")
    # Items, met, breached, stopped, exempt, pending: the chat left after 10 s is not a
    # breach; the one left after the deadline is.
    expect(chats.get_by_role("cell")).to_have_text(
        [week, "Waiting chat", "3", "1", "1", "1", "0", "0", "50.0%", "0.5 min", "0.5 min"]
    )
    shot = screenshot(page, "report")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(shot, SHOTS / "report.png")

    page.get_by_role("link", name="per specialist").click()
    expect(table.get_by_role("columnheader", name="Specialist")).to_be_visible()
    sam = table.get_by_role("row").filter(has_text=week).filter(has_text="Sam Specialist")
    expect(sam.filter(has_text="Super admin, standard").get_by_role("cell").nth(4)).to_have_text(
        "2"
    )
    nobody = table.get_by_role("row").filter(has_text="Unassigned")
    expect(nobody.filter(has_text="Callback request").get_by_role("cell").nth(6)).to_have_text("1")
    shutil.copy(screenshot(page, "report-specialist"), SHOTS / "report-specialist.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "sla-attainment-week-specialist.csv"
