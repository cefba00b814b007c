"""Repository-wide pytest configuration: how many pytest-xdist workers run the tests.

``pyproject.toml`` asks for ``--numprocesses=auto --dist=worksteal``; "auto" is decided here:

* the whole suite (``python -m pytest`` with no paths, from the repository root) runs on
  :data:`WORKERS` workers, or one per CPU on a machine with more (at most :data:`MAX_WORKERS`):
  many tests wait on sockets, subprocesses, the browser or real-time audio rather than
  compute, so a 2-core machine keeps 6 workers busy (on 2 idle cores: 46 s with 3, 38-43 s with
  4, 35 s with 5, 32-33 s with 6 or 8);
* a file or folder named on the command line (``python -m pytest tests/client``,
  ``python -m pytest examples/test_agent_offline.py``) runs serially in one process: starting
  workers, each importing the library and collecting the tests, would cost more than it saves;
* ``-n N`` on the command line, or ``PYTEST_XDIST_AUTO_NUM_WORKERS``, decides instead (``-n 0``
  runs serially).

Without pytest-xdist (not installed, or ``-p no:xdist``) the two options are accepted and
ignored, and the tests run serially instead of failing on an unknown option.

On workers, the tests are reordered so that the ``worksteal`` scheduler's first split (one
contiguous slice per worker, equal in count) is also about equal in time: the slow tests (browser,
subprocesses, real-time waits: :data:`SECONDS_PER_MODULE`, :data:`SECONDS_PER_FUNCTION`) are dealt
out longest first, each to the slice with the least time so far, and run at the start of their
slice, so that a worker that finishes early steals fast tests instead of waiting behind one
worker's slow ones, and no long test starts near the end of the run. The tests of a module in
:data:`TOGETHER` stay in one slice, or in as many as it says (with the tests :data:`JOINS` adds).
The weights only order the run; a stale one costs time, never a result.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any

import pytest

WORKERS = 6
MAX_WORKERS = 8  # each worker imports the library and collects all ~2,500 tests (~1.5 s of CPU)

SECONDS_PER_MODULE = {
    # Wall seconds per test of the slow modules (the rest: DEFAULT), unless the test's function
    # is in SECONDS_PER_FUNCTION. Measured in the full suite with 4 workers on a busy 2-core
    # machine (so about 1.5x an idle one's): only their order matters.
    "tests/web/test_browser.py": 2.0,
    "tests/conversation/test_readme_examples.py": 2.2,
    "tests/conversation/test_cli_transcript.py": 1.0,
    "tests/cli/test_first_hour.py": 1.0,
    "tests/docs/test_snippets.py": 0.9,
    "tests/examples/test_examples.py": 0.8,
    "tests/cli/test_talk.py": 0.8,
    "tests/cli/test_cli.py": 0.6,
    "tests/fidelity/test_google_genai.py": 0.6,
    "tests/tools/test_mcp.py": 0.5,
}
SECONDS_PER_FUNCTION = {
    # Wall seconds of one test function (each of its parameters), module by module.
    "tests/tools/test_mcp.py": {
        "test_stdio_server_tools_declared_and_run_through_the_runner": 6.7,
        "test_streamable_http_server": 6.3,
    },
    "tests/cli/test_first_hour.py": {
        "test_tls_hints_show_the_official_sdk_connecting": 5.6,
        "test_tls_ca_file_lets_clients_connect_as_printed": 4.3,
        "test_demo_base_url_against_the_emulator_command_makes_the_tool_call": 3.9,
        "test_chat_shows_the_reconnection_while_it_happens": 3.0,
        "test_ctrl_c_with_piped_input_exits_130_without_waiting_for_the_pipe": 2.6,
        "test_emulator_logs_connections_without_credentials_and_exits_130_on_ctrl_c": 1.8,
        "test_ctrl_c_at_the_prompt_in_a_terminal_exits_130_at_once": 1.6,
        "test_an_empty_key_says_so_in_the_first_line": 1.5,
        "test_emulator_exits_0_on_sigterm": 1.4,
    },
    "tests/examples/test_examples.py": {
        "test_voice_from_wav": 5.2,
        "test_testing_with_the_emulator": 2.5,
        "test_concurrent_writers": 1.9,
    },
    "tests/cli/test_cli.py": {
        "test_chat_from_a_pipe_answers_every_line_and_exits_at_eof": 4.1,
        "test_demo_shows_four_turns_with_latency": 3.1,
        "test_chat_with_empty_input_exits_0": 1.3,
        "test_base_url_and_api_key_reach_the_given_endpoint": 1.2,
    },
    "tests/cli/test_talk.py": {
        "test_talk_converts_the_question_and_writes_the_spoken_reply": 3.8,
        "test_talk_gives_up_helpfully_when_the_wav_has_no_speech": 3.1,
    },
    "tests/video/test_feed.py": {
        "test_streaming_large_video_never_delays_audio_sends": 3.4,
    },
    "tests/audio/test_cli_live.py": {
        "test_live_talk_hears_speech_and_plays_the_reply": 3.1,
    },
    "tests/fidelity/test_google_genai.py": {
        "test_text_turn_streams_the_documented_reply": 2.9,
    },
    "tests/client/test_transport.py": {
        "test_a_streaming_peer_with_late_pongs_is_not_dropped": 2.2,
    },
    "tests/web/test_relay.py": {
        "test_a_page_that_stops_reading_is_cut_off_with_bounded_memory": 1.7,
        "test_a_call_the_toolbox_rejects_is_shown_as_an_error": 1.5,
        "test_tool_call_is_answered_and_shown_with_its_result": 1.1,
    },
    "tests/conversation/test_otel.py": {
        "test_spans_metrics_and_no_secrets": 1.6,
    },
    "tests/testing/test_emu_faults.py": {
        "test_stall_blocks_the_client_writer": 1.5,
    },
    "tests/conversation/test_watchdog_emulator.py": {
        "test_notify_reports_a_silent_model_once": 1.4,
    },
    "tests/protocol/test_decode_robustness.py": {
        "test_fuzz_mutations_of_golden_frames": 1.3,
    },
    "tests/protocol/test_decode_fast_paths.py": {
        "test_random_double_mutations_agree_with_the_typed_parser": 1.3,
    },
    "tests/client/test_vertex_adc.py": {
        "test_token_from_application_default_credentials": 1.2,
        "test_vertex_with_a_credentials_object_refreshes_only_when_needed": 0.9,
    },
    "tests/client/test_session_input_rules.py": {
        "test_rejected_video_does_not_shorten_the_session_limit": 1.0,
    },
    "tests/client/test_hot_path_send.py": {
        "test_send_audio_waits_for_the_socket_when_it_is_backed_up": 1.0,
    },
    "tests/client/test_session_limits.py": {
        "test_video_shortens_the_limit": 1.0,
    },
    "tests/tools/test_runner.py": {
        "test_leaving_serve_cancels_and_answers_running_calls_bounded": 1.0,
    },
    "tests/testing/test_emu_voice.py": {
        "test_speech_interrupts_the_model": 0.9,
    },
    "tests/testing/test_emu_tools.py": {
        "test_non_blocking_scheduling": 0.9,
    },
    "tests/testing/test_emu_lifetime.py": {
        "test_audio_session_limit_and_compression": 0.8,
    },
}
TOGETHER = {
    # Modules whose tests stay in one slice (or in N, dealt round-robin): the package they drive
    # costs each process that imports it a second or more of CPU (mcp 1.5 s, google-genai
    # 1.1 s); the browser tests share one Chromium and its reused pages (a second Chromium
    # costs its start and renderers again), and two of them playing audio at once on two cores
    # starve each other's real-time audio.
    "tests/tools/test_mcp.py": 1,
    "tests/fidelity/test_google_genai.py": 1,
    "tests/web/test_browser.py": 1,
}
JOINS = {
    # Tests of other modules that go in the slice of a TOGETHER module's first group: they
    # import the same costly package.
    "tests/cli/test_first_hour.py::test_tls_hints_show_the_official_sdk_connecting": (
        "tests/fidelity/test_google_genai.py"
    ),
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

    def function(item: pytest.Item) -> str:
        return getattr(item, "originalname", item.name)  # without the parameters

    def weight(item: pytest.Item) -> float:
        name = module(item)
        seconds = SECONDS_PER_FUNCTION.get(name, {}).get(function(item))
        return seconds if seconds is not None else SECONDS_PER_MODULE.get(name, DEFAULT)

    seen: dict[str, int] = {}

    def group(item: pytest.Item) -> str | None:
        name = module(item)
        joined = JOINS.get(f"{name}::{function(item)}")
        if joined is not None:
            return f"{joined}#0"
        if name not in TOGETHER:
            return None
        seen[name] = seen.get(name, -1) + 1
        return f"{name}#{seen[name] % TOGETHER[name]}"

    items[:] = balanced(items, int(workerinput["workercount"]), weight, group)


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
