"""Run Python programs as ``python [-W OPTION] PROGRAM ARGS`` would, each in its own forked process.

Starting an interpreter and importing ``gemini_live`` costs about 0.3 s of CPU per program; the
docs blocks and the examples are 35 programs. This module, run as a script, is a fork server: it
starts once (per pytest worker), imports ``asyncio`` and ``gemini_live`` (exactly what the
programs' ``import gemini_live`` would load: no submodule beyond it, so a program that forgets an
import still fails), then forks one child per program. The child is a separate process with its
own ``__main__`` (the program, executed as a fresh module), ``sys.argv``, ``sys.path[0]``,
working directory, environment, ``-W`` options, stdin from ``/dev/null`` and stdout+stderr to a
file; it ends like an interpreter does (``SystemExit`` codes, a traceback and status 1 for an
uncaught exception, atexit handlers, non-daemon threads joined). ``tests/docs/test_zygote.py``
runs the same probe programs both ways and compares.

Protocol (bytes on the server's stdin/stdout, one JSON object or line per message):
request ``{"argv": [...], "cwd": ..., "env": {...}, "warnings": [...], "output": path}``;
replies ``pid N`` when the child is forked and ``status S`` when it is reaped (S as
:attr:`subprocess.Popen.returncode`: negative for a signal). The server exits at end of input.

:class:`Zygote` is the client side; :func:`run_forked` runs one program, bounded in time.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import types
import warnings
from pathlib import Path
from typing import Any

__all__ = ["Zygote", "run_forked", "zygote"]

PRELOAD = ("asyncio", "gemini_live")


def _preload() -> None:
    import importlib

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in PRELOAD:
            importlib.import_module(name)
    if caught:  # a program run for real would see these at its own import: do not hide them
        sys.stderr.write(f"zygote: importing {PRELOAD} warned: {caught[0].message}\n")
        raise SystemExit(2)


def _readline(buffer: bytearray) -> bytes | None:
    while b"\n" not in buffer:
        chunk = os.read(0, 65536)
        if not chunk:
            return None
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


def _serve() -> dict[str, Any] | None:
    """The server loop; returns (in a forked child only) the request the child must run."""
    buffer = bytearray()  # raw reads: sys.stdin keeps no read-ahead the children would inherit
    while (line := _readline(buffer)) is not None:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            return dict(request)
        os.write(1, f"pid {pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"status {os.waitstatus_to_exitcode(status)}\n".encode())
    return None


def _become(request: dict[str, Any]) -> None:
    """In the child: take the program's stdio, directory, environment, argv and -W options."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(devnull)
    os.close(output)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    argv = list(request["argv"])
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
    for option in request["warnings"]:
        sys.warnoptions.append(option)
        warnings._setoption(option)  # type: ignore[attr-defined]  # what `python -W` calls


def _run_as_main(program: str) -> None:
    """Execute ``program`` as a fresh ``__main__`` module, as ``python PROGRAM`` does (absolute
    ``__file__``; ``sys.argv[0]`` as given; the server's own ``__main__`` replaced)."""
    import builtins
    import importlib.machinery

    path = os.path.abspath(program)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__cached__ = None  # type: ignore[attr-defined]
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    exec(code, main.__dict__)


if __name__ == "__main__":
    _preload()
    child_request = _serve()
    if child_request is not None:
        _become(child_request)
        # Exceptions and SystemExit leave through the interpreter's own exit path, as they would
        # from a program run with `python PROGRAM`.
        _run_as_main(child_request["argv"][0])
    sys.exit(0)


class Zygote:
    """A running fork server (see the module docstring); one program at a time."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the server's own failures show in the test output
        )
        self._busy = False

    def _reply(self, word: str) -> int:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().decode()
        if not line.startswith(word + " "):
            raise RuntimeError(f"fork server stopped (exit {self._proc.poll()}): {line!r}")
        return int(line.split()[1])

    async def run(
        self,
        argv: list[str],
        *,
        cwd: Path,
        env: dict[str, str],
        warning_options: list[str],
        output: str,
        limit: float,
    ) -> int:
        """Run one program; its exit status (or -9 if killed after ``limit`` seconds)."""
        request = {
            "argv": argv,
            "cwd": str(cwd),
            "env": env,
            "warnings": warning_options,
            "output": output,
        }
        assert self._proc.stdin is not None
        if self._busy:
            raise RuntimeError("the fork server runs one program at a time")
        self._busy = True
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
            pid = await asyncio.wait_for(asyncio.to_thread(self._reply, "pid"), 30)
            reaped = asyncio.ensure_future(asyncio.to_thread(self._reply, "status"))
            try:
                async with asyncio.timeout(limit):
                    return await asyncio.shield(reaped)
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                await asyncio.wait_for(reaped, 30)
                return -9
        finally:
            self._busy = False

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)


_zygote: Zygote | None = None


def zygote() -> Zygote:
    """This process's fork server, started at first use and stopped when the process exits."""
    global _zygote
    if _zygote is None or _zygote._proc.poll() is not None:
        import atexit

        _zygote = Zygote()
        atexit.register(_zygote.close)
    return _zygote


def _read(path: str) -> str:
    with open(path, "rb") as written:
        return written.read().decode(errors="replace")


async def run_forked(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    warning_options: list[str],
    limit: float,
) -> tuple[int, str]:
    """``python -W OPTIONS ARGV`` in ``cwd`` with ``env``: (status, stdout+stderr)."""
    descriptor, output = tempfile.mkstemp(prefix="zygote-", suffix=".txt")  # not in cwd
    os.close(descriptor)
    try:
        status = await zygote().run(
            argv, cwd=cwd, env=env, warning_options=warning_options, output=output, limit=limit
        )
        text = _read(output)
    finally:
        os.unlink(output)
    if status == -9:
        text += f"\n[killed after {limit} s]"
    return status, text
