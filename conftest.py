"""Repository-wide pytest configuration: how many pytest-xdist workers run the tests.

``pyproject.toml`` asks for ``--numprocesses=auto --dist=worksteal``; "auto" is decided here:

* the whole suite (``python -m pytest`` with no paths, from the repository root) runs on
  :data:`WORKERS` workers, or one per CPU on a machine with more (at most :data:`MAX_WORKERS`):
  many tests wait on sockets, subprocesses or the browser rather than compute, so a 2-core
  machine keeps 4 workers busy (on 2 idle cores: 63 s with 3, 55 s with 4, 54 s with 5 or 6, when
  the cores are saturated);
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
finishes early steals fast tests instead of waiting behind one worker's slow ones. The tests of a
module in :data:`TOGETHER` stay in one slice, or in as many as it says.
The weights only order the run; a stale one costs time, never a result.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any

import pytest

WORKERS = 4
MAX_WORKERS = 8  # each worker imports the library and collects all ~2,400 tests (~4 s of CPU)

SECONDS_PER_TEST = {
    # Wall seconds per test of the slow modules (measured with 3 workers; the rest: DEFAULT).
    "tests/web/test_browser.py": 5.0,
    "tests/testing/test_plugin_user_project.py": 4.0,
    "tests/tools/test_mcp.py": 3.0,
    "tests/conversation/test_readme_examples.py": 1.5,
    "tests/cli/test_talk.py": 1.5,
    "tests/cli/test_first_hour.py": 1.0,
    "tests/examples/test_examples.py": 1.2,
    "tests/docs/test_snippets.py": 0.8,
    "tests/cli/test_cli.py": 0.8,
    "tests/conversation/test_cli_transcript.py": 0.8,
    "tests/fidelity/test_google_genai.py": 0.6,
    "tests/testing/test_emu_tls_plugin.py": 0.6,
}
TOGETHER = {
    # Modules whose tests stay in one slice (or in N, dealt round-robin): the package they drive
    # costs each process that imports it a second or more of CPU (mcp 1.5 s, google-genai
    # 1.1 s); the browser tests share one Chromium per worker, and more than two of them
    # playing audio at once on two cores starve each other's real-time audio.
    "tests/tools/test_mcp.py": 1,
    "tests/fidelity/test_google_genai.py": 1,
    "tests/web/test_browser.py": 2,
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
def pytest_collection_finish(session: pytest.Session) -> None:
    """After collection, move what the process holds so far (the library, the test modules, the
    collected items) out of the cyclic garbage collector's reach: it is alive until the end of
    the run anyway, and every full collection would walk it again (the automatic ones during
    the tests, and the several that pytest runs when it finishes: ~0.5 s of CPU per worker).
    Objects the tests create are collected as usual."""
    gc.freeze()


DIST_KEY = "gemini_live_dist"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """On the controller, for each worker: the scheduler (a worker's own ``dist`` option reads
    "no")."""
    node.workerinput[DIST_KEY] = node.config.getoption("dist")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worksteal worker: balance the scheduler's first split by time (module docstring)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None or workerinput.get(DIST_KEY) != "worksteal":
        return
    root = config.rootpath

    def module(item: pytest.Item) -> str:
        try:
            return item.path.relative_to(root).as_posix()
        except ValueError:
            return str(item.path)

    seen: dict[str, int] = {}

    def group(item: pytest.Item) -> str | None:
        name = module(item)
        if name not in TOGETHER:
            return None
        seen[name] = seen.get(name, -1) + 1
        return f"{name}#{seen[name] % TOGETHER[name]}"

    items[:] = balanced(
        items,
        int(workerinput["workercount"]),
        lambda item: SECONDS_PER_TEST.get(module(item), DEFAULT),
        group,
    )


def balanced(
    items: list[pytest.Item],
    workers: int,
    weight: Callable[[pytest.Item], float],
    group: Callable[[pytest.Item], str | None] = lambda item: None,
) -> list[pytest.Item]:
    """``items`` reordered so that worksteal's first split into ``workers`` slices is balanced
    in time; the slow items of one ``group`` stay in one slice."""
    if workers < 2 or len(items) < workers:
        return items
    sizes: list[int] = []
    left = len(items)
    for i in range(workers):  # the scheduler's split: len(pending) // nodes still to serve
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    weights = [weight(item) for item in items]
    units: dict[object, list[int]] = {}
    for i, item in enumerate(items):
        if weights[i] > DEFAULT:
            units.setdefault(group(item) or i, []).append(i)
    slices: list[list[int]] = [[] for _ in range(workers)]
    totals = [0.0] * workers
    # Longest first, each to the slice with the least time that still has room for it.
    for unit in sorted(units.values(), key=lambda unit: -sum(weights[i] for i in unit)):
        room = [k for k in range(workers) if len(slices[k]) + len(unit) <= sizes[k]]
        k = min(room or range(workers), key=totals.__getitem__)
        slices[k].extend(unit)
        totals[k] += sum(weights[i] for i in unit)
    overflow = [i for k in range(workers) for i in slices[k][sizes[k] :]]
    for k in range(workers):
        del slices[k][sizes[k] :]
    rest = iter(overflow + [i for i, w in enumerate(weights) if w <= DEFAULT])
    for k in range(workers):  # then the fast tests, in collection order (module fixtures kept)
        slices[k].extend(next(rest) for _ in range(sizes[k] - len(slices[k])))
    return [items[i] for piece in slices for i in piece]
