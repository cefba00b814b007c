"""Run the real ``gemini-live`` CLI in a subprocess, offline and always with a time limit."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLI", "Result", "cli_env", "closed_port", "run_cli", "run_cli_async"]

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
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run ``python -m gemini_live ARGS`` to completion (bounded)."""
    done = subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=LIMIT,
        cwd=cwd,
        env=env if env is not None else cli_env(),
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


async def run_cli_async(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, limit: float = LIMIT
) -> Result:
    """Like :func:`run_cli`, without blocking the loop (for a server running in the test)."""
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env if env is not None else cli_env(),
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
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
