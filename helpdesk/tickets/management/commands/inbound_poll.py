"""`python manage.py inbound_poll`: one IMAP poll of the support mailbox, by hand."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from helpdesk.tickets.inbound_imap import inbound_poll


class Command(BaseCommand):
    help = "Poll the support mailbox (INBOUND_IMAP_URL) once and process what it holds."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", help="An IMAP URL to poll instead of INBOUND_IMAP_URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = inbound_poll(url=options["url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.seen} message(s): {result.processed} processed, "
            f"{result.skipped} already processed, {result.errors} IMAP error(s)"
        )
