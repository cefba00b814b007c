"""Run the real ``gemini-live`` CLI in a subprocess, offline and always with a time limit.

:func:`run_cli` and :func:`run_cli_async` run ``python -m gemini_live ARGS`` in a process forked
from the tests' fork server (:mod:`tests.docs.zygote`: the library already imported, about 0.3 s
of CPU less per command), unless ``fresh=True`` or the environment changes what an interpreter
reads at its start (``PYTHONWARNINGS``...): then in a new interpreter. The tests about the entry
point's start, signals and terminals start ``CLI`` themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from tests.docs.zygote import forkable, run_blocking

__all__ = [
    "CLI",
    "Result",
    "cli_env",
    "closed_port",
    "refusing_port",
    "run_cli",
    "run_cli_async",
    "run_main",
]

CLI = (sys.executable, "-m", "gemini_live")
LIMIT = 60.0  # seconds; generous for a loaded CI machine, far above a normal run


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    def error_line(self, command: str) -> str:
        """The single stderr line of a failed command (asserts there is exactly one)."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one error line, got {self.stderr!r}"
        assert lines[0].startswith(f"gemini-live {command}: error: "), lines[0]
        assert "Traceback" not in self.stderr + self.stdout
        return lines[0]


def cli_env(**extra: str) -> dict[str, str]:
    """The environment without any real credentials: the CLI must not reach the service."""
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(extra)
    return env


def run_cli(
    *args: str,
    stdin: str = "",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    fresh: bool = False,
) -> Result:
    """Run ``python -m gemini_live ARGS`` to completion (bounded); see the module docstring."""
    env = env if env is not None else cli_env()
    if not fresh and forkable(env):
        status, out, err = run_blocking(
            [CLI[0], *args],
            module="gemini_live",
            cwd=cwd if cwd is not None else Path.cwd(),
            env=env,
            stdin=stdin,
            limit=LIMIT,
        )
        if status == -9:
            raise subprocess.TimeoutExpired([*CLI, *args], LIMIT, out, err)
        return Result(status, out, err)
    done = subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=LIMIT,
        cwd=cwd,
        env=env,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def run_main(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run ``gemini_live.cli.main(ARGS)`` in this process, with the streams, environment and
    working directory :func:`run_cli` would give the subprocess.

    For commands that end before any session or server starts (usage, argument and input-file
    errors, help): there a new interpreter only adds its start-up, about 0.4 s of CPU each. The
    ``python -m gemini_live`` entry point itself is run for real by other tests.
    """
    from gemini_live.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, env if env is not None else cli_env(), clear=True),
        mock.patch.object(sys, "stdin", io.StringIO(stdin)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        contextlib.chdir(cwd if cwd is not None else Path.cwd()),
    ):
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse: --help, --version, usage errors
            code = exit_.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
    return Result(status, out.getvalue(), err.getvalue())


async def run_cli_async(
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    limit: float = LIMIT,
    fresh: bool = False,
) -> Result:
    """Like :func:`run_cli`, without blocking the loop (for a server running in the test)."""
    env = env if env is not None else cli_env()
    if not fresh and forkable(env):
        status, out, err = await asyncio.to_thread(
            run_blocking,
            [CLI[0], *args],
            module="gemini_live",
            cwd=Path.cwd(),
            env=env,
            stdin=stdin,
            limit=limit,
        )
        if status == -9:
            raise TimeoutError(f"gemini-live {' '.join(args)}: killed after {limit} s")
        return Result(status, out, err)
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        async with asyncio.timeout(limit):
            out, err = await proc.communicate(stdin.encode())
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


def closed_port() -> int:
    """A free port on 127.0.0.1 (bound, then released), for a server the test starts on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections for as long as the block runs: bound but
    not listening, so no other test (another worker's server on an ephemeral port) can take it
    meanwhile, as it could a port that was bound and released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
