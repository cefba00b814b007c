"""Print the tool-call fault matrix collected by test_tool_fault_matrix at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests.tools.test_tool_fault_matrix import TOOL_MATRIX

    if not TOOL_MATRIX:
        return
    columns = list(TOOL_MATRIX[0])
    widths = {c: max(len(c), *(len(str(row[c])) for row in TOOL_MATRIX)) for c in columns}
    terminalreporter.write_sep("=", "tool-call fault matrix (duplicated: at the service)")
    terminalreporter.write_line("  ".join(c.ljust(widths[c]) for c in columns))
    for row in TOOL_MATRIX:
        terminalreporter.write_line("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
