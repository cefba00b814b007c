"""The fork server runs a program as ``python [-W OPTION] PROGRAM ARGS`` does (same observable
results for what the docs blocks and examples rely on), compared with a real interpreter."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.docs.snippets import NO_DEPRECATED
from tests.docs.zygote import forkable, run_blocking, run_forked

PROBE = """\
import os, sys, warnings
print("name", __name__, __spec__, __package__)
print("file", __file__)
print("argv", sys.argv)
print("path0", sys.path[0])
print("cwd", os.getcwd())
print("env", os.environ.get("PROBE_VALUE"), os.environ.get("PROBE_ABSENT"))
print("stdin", repr(sys.stdin.read()))
print("loaded", "gemini_live.testing" in sys.modules)
import gemini_live
print("submodule", "gemini_live.testing" in sys.modules)
sys.stdout.flush()
print("to stderr", file=sys.stderr)
"""


async def _both(
    source: str, tmp_path: Path, *args: str, options: tuple[str, ...] = ()
) -> tuple[tuple[int, str], tuple[int, str]]:
    (tmp_path / "program.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PROBE_ABSENT"}
    env["PROBE_VALUE"] = "42"
    argv = ["program.py", *args]
    flags = [x for option in options for x in ("-W", option)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *flags,
        *argv,
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(60):
        out, _ = await proc.communicate()
    assert proc.returncode is not None
    real = (proc.returncode, out.decode())
    forked = await run_forked(argv, cwd=tmp_path, env=env, warning_options=list(options), limit=60)
    return real, forked


async def test_a_program_sees_the_same_process_state(tmp_path: Path) -> None:
    real, forked = await _both(PROBE, tmp_path, "a b", "c", options=(NO_DEPRECATED,))
    assert forked == real
    assert real[0] == 0
    lines = real[1].splitlines()
    assert "name __main__ None None" in lines and "env 42 None" in lines and "stdin ''" in lines
    assert "submodule False" in lines  # nothing the program did not import is visible
    failing = "import warnings\nwarnings.warn('old call', DeprecationWarning)\n"
    real, forked = await _both(failing, tmp_path, options=(NO_DEPRECATED,))
    assert real[0] == forked[0] == 1
    assert "DeprecationWarning: old call" in real[1] and "DeprecationWarning: old call" in forked[1]


@pytest.mark.parametrize(
    ("source", "status", "expected"),
    [
        ("import sys\nsys.exit(3)\n", 3, ""),
        ("import sys\nsys.exit('bye')\n", 1, "bye"),
        ("1 / 0\n", 1, "ZeroDivisionError: division by zero"),
        (
            "import warnings\nwarnings.warn('old call', DeprecationWarning)\n",
            1,
            "DeprecationWarning: old call",
        ),
        (  # the library's deprecation warnings name the program's call: an error here too
            "import asyncio, gemini_live\n"
            "async def main():\n"
            "    async with gemini_live.connect('m', api_key='k', base_url='ws://127.0.0.1:9'):\n"
            "        pass\n"
            "asyncio.run(main())\n",
            1,
            "DeprecationWarning: connect(api_key=) is deprecated",
        ),
        (  # atexit handlers run and non-daemon threads are joined when the program ends
            "import atexit, threading, time\n"
            "atexit.register(print, 'at exit')\n"
            "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done'))).start()\n",
            0,
            "thread done\nat exit",
        ),
    ],
)
async def test_endings_are_those_of_an_interpreter(
    source: str, status: int, expected: str, tmp_path: Path
) -> None:
    # The statuses and messages `python -W error::DeprecationWarning:__main__ PROGRAM` gives
    # (the -W one is also compared with a real interpreter above: each comparison costs a start).
    (tmp_path / "program.py").write_text(source, encoding="utf-8")
    forked = await run_forked(
        ["program.py"],
        cwd=tmp_path,
        env=dict(os.environ),
        warning_options=[NO_DEPRECATED],
        limit=60,
    )
    assert forked[0] == status, forked
    assert expected in forked[1], forked


async def test_a_program_that_hangs_is_killed_at_the_limit(tmp_path: Path) -> None:
    (tmp_path / "hang.py").write_text("import time\ntime.sleep(60)\n", encoding="utf-8")
    status, output = await run_forked(
        ["hang.py"], cwd=tmp_path, env=dict(os.environ), warning_options=[], limit=0.5
    )
    assert status == -9 and "[killed after 0.5 s]" in output
    # The server goes on serving.
    (tmp_path / "ok.py").write_text("print('fine')\n", encoding="utf-8")
    assert await run_forked(
        ["ok.py"], cwd=tmp_path, env=dict(os.environ), warning_options=[], limit=30
    ) == (0, "fine\n")


async def test_a_module_run_with_stdin_matches_python_m(tmp_path: Path) -> None:
    # As tests/cli/runner.py runs `python -m gemini_live`: stdin through a pipe (asyncio can read
    # it), stdout and stderr apart.
    (tmp_path / "probe.py").write_text(
        "import asyncio, os, sys\n"
        "async def main():\n"
        "    reader = asyncio.StreamReader()\n"
        "    loop = asyncio.get_running_loop()\n"
        "    protocol = asyncio.StreamReaderProtocol(reader)\n"
        "    await loop.connect_read_pipe(lambda: protocol, sys.stdin)\n"
        "    print('read', (await reader.read()).decode().split())\n"
        "asyncio.run(main())\n"
        "print(__name__, os.path.basename(sys.argv[0]), sys.argv[1:], sys.path[0] == os.getcwd())\n"
        "print('to stderr', file=sys.stderr)\n"
        "sys.exit(4)\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "probe",
        "x",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate(b"one\ntwo\n")
    forked = await asyncio.to_thread(
        run_blocking,
        [sys.executable, "x"],
        module="probe",
        cwd=tmp_path,
        env=env,
        stdin="one\ntwo\n",
        limit=60,
    )
    assert forked == (proc.returncode, out.decode(), err.decode())
    assert forked[0] == 4 and "read ['one', 'two']" in forked[1]
    assert "__main__ probe.py ['x'] True" in forked[1]


def test_a_different_start_up_variable_needs_a_new_interpreter() -> None:
    assert forkable(dict(os.environ))
    warnings = os.environ.get("PYTHONWARNINGS", "") + ",error::DeprecationWarning"
    assert not forkable({**os.environ, "PYTHONWARNINGS": warnings})
