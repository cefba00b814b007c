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

On workers, the tests are reordered so that the ``worksteal`` scheduler's first split (one
contiguous slice per worker, equal in count) is also about equal in time: the slow tests (browser,
subprocesses, real-time waits: :data:`SECONDS_PER_TEST`) are dealt out longest first, each to the
slice with the least time so far, and run at the start of their slice, so that a worker that
finishes early steals fast tests instead of waiting behind one worker's slow ones. The weights
only order the run; a stale one costs time, never a result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

WORKERS = 3
MAX_WORKERS = 8  # each worker imports the library and collects all ~2,400 tests (~3 s of CPU)

SECONDS_PER_TEST = {
    # Wall seconds per test of the slow modules (measured with 3 workers; the rest: DEFAULT).
    "tests/web/test_browser.py": 5.0,
    "tests/testing/test_plugin_user_project.py": 4.0,
    "tests/tools/test_mcp.py": 3.0,
    "tests/conversation/test_readme_examples.py": 1.5,
    "tests/cli/test_talk.py": 1.5,
    "tests/cli/test_first_hour.py": 1.2,
    "tests/examples/test_examples.py": 1.2,
    "tests/docs/test_snippets.py": 0.8,
    "tests/cli/test_cli.py": 0.8,
    "tests/conversation/test_cli_transcript.py": 0.8,
    "tests/fidelity/test_google_genai.py": 0.6,
    "tests/audio/test_cli_live.py": 0.6,
    "tests/testing/test_emu_tls_plugin.py": 0.6,
    "tests/video/test_feed.py": 0.5,
    "tests/docs/test_zygote.py": 0.5,
    "tests/conversation/test_otel.py": 0.5,
    "tests/client/test_session_limits.py": 0.5,
    "tests/testing/test_emu_lifetime.py": 0.5,
    "tests/conversation/test_watchdog_emulator.py": 0.4,
    "tests/web/test_relay.py": 0.3,
}
DEFAULT = 0.05


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worksteal worker: balance the scheduler's first split by time (module docstring)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None or config.getoption("dist", None) != "worksteal":
        return
    items[:] = balanced(items, int(workerinput["workercount"]), _weight_of(config.rootpath))


def _weight_of(root: Path) -> Callable[[pytest.Item], float]:
    def weight(item: pytest.Item) -> float:
        try:
            relative = item.path.relative_to(root).as_posix()
        except ValueError:
            return DEFAULT
        return SECONDS_PER_TEST.get(relative, DEFAULT)

    return weight


def balanced(
    items: list[pytest.Item], workers: int, weight: Callable[[pytest.Item], float]
) -> list[pytest.Item]:
    """``items`` reordered so that worksteal's first split into ``workers`` slices is balanced."""
    if workers < 2 or len(items) < workers:
        return items
    sizes: list[int] = []
    left = len(items)
    for i in range(workers):  # the scheduler's split: len(pending) // nodes still to serve
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    weights = [weight(item) for item in items]
    slow = sorted((i for i, w in enumerate(weights) if w > DEFAULT), key=lambda i: -weights[i])
    slices: list[list[int]] = [[] for _ in range(workers)]
    totals = [0.0] * workers
    for i in slow:  # longest first, to the slice with the least time that still has room
        k = min((k for k in range(workers) if len(slices[k]) < sizes[k]), key=totals.__getitem__)
        slices[k].append(i)
        totals[k] += weights[i]
    fast = iter(i for i, w in enumerate(weights) if w <= DEFAULT)
    for k in range(workers):  # then the fast tests, in collection order (module fixtures kept)
        slices[k].extend(next(fast) for _ in range(sizes[k] - len(slices[k])))
    return [items[i] for piece in slices for i in piece]
