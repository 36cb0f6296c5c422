"""The rehearsal's figures in the run's summary, with or without -s."""

from tests.rehearsal.figures import FIGURES


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("rehearsal figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
