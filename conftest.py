"""Repository-wide pytest configuration: how many pytest-xdist workers run the tests.

``pyproject.toml`` asks for ``--numprocesses=auto --dist=worksteal``; "auto" is decided here:

* the whole suite (``python -m pytest`` with no paths, from the repository root) runs on
  :data:`WORKERS` workers, or one per CPU on a machine with more (at most :data:`MAX_WORKERS`):
  many tests wait on sockets, subprocesses or the browser rather than compute, so a 2-core
  machine keeps 3 workers busy;
* a file or folder named on the command line (``python -m pytest tests/client``,
  ``python -m pytest examples/test_agent_offline.py``) runs serially in one process: starting
  workers, each importing the library and collecting the tests, would cost more than it saves;
* ``-n N`` on the command line, or ``PYTEST_XDIST_AUTO_NUM_WORKERS``, decides instead (``-n 0``
  runs serially).

Without pytest-xdist (not installed, or ``-p no:xdist``) the two options are accepted and
ignored, and the tests run serially instead of failing on an unknown option.
"""

from __future__ import annotations

import os

import pytest

WORKERS = 3
MAX_WORKERS = 8  # each worker imports the library and collects all ~2,200 tests (~5 s of CPU)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "serial run (pytest-xdist is not active)")
    ignored = "ignored: pytest-xdist is not active, tests run serially"
    group.addoption("--numprocesses", dest="numprocesses", default=None, help=ignored)
    group.addoption("--dist", dest="dist", default="no", help=ignored)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``--numprocesses=auto`` (None: pytest-xdist's own rule, one per CPU)."""
    given = config.invocation_params.args
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or any(
        str(arg).startswith(("-n", "--numprocesses")) for arg in given
    ):
        return None
    if config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        return max(WORKERS, min(os.cpu_count() or 1, MAX_WORKERS))
    return 0
