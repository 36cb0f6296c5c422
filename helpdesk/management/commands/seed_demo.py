from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpdesk.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo accounts, users and content (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Seed even when DEBUG is off (not for production)."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed demo users with known passwords while DEBUG is off. "
                "Use --force if this really is a demo install."
            )
        logins = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password {DEMO_PASSWORD}):")
        )
        for email, what in logins:
            self.stdout.write(f"  {email:<24} {what}")
