from django.core.management.base import BaseCommand

from sla.sweep import run_sweep


class Command(BaseCommand):
    help = "Run one SLA sweep now: warnings, breaches and escalations that are due."

    def handle(self, *args, **options) -> None:
        counts = run_sweep()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} item(s) changed")
