"""The figures the drills report, collected for the run's summary (conftest.py)."""

FIGURES: list[str] = []
