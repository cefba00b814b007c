"""Print the fault matrix collected by test_fault_matrix at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests.resilience.test_fault_matrix import MATRIX

    if not MATRIX:
        return
    columns = [
        "fault",
        "injected",
        "sent",
        "replayed",
        "dropped",
        "duplicated",
        "lost",
        "reconnects",
        "outcome",
    ]
    widths = {c: max(len(c), *(len(str(row[c])) for row in MATRIX)) for c in columns}
    terminalreporter.write_sep("=", "fault matrix (dropped = stale real-time audio only)")
    terminalreporter.write_line("  ".join(c.ljust(widths[c]) for c in columns))
    for row in MATRIX:
        terminalreporter.write_line("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
