"""Run Python programs as ``python [-W OPTION] PROGRAM ARGS`` would, each in its own forked process.

Starting an interpreter and importing ``gemini_live`` costs about 0.3 s of CPU per program; the
docs blocks and the examples are 35 programs. This module, run as a script, is a fork server: it
starts once (per pytest worker), imports ``asyncio`` and ``gemini_live`` and resolves the
package's public names (``__all__``: the core's modules, which a program's first
``gemini_live.connect`` would load; no extra, no subpackage such as ``testing``, and no deprecated
name, whose warning the program must still get), then forks one child per program. The child is
a separate process with its own ``__main__`` (the program, executed as a fresh module),
``sys.argv``, ``sys.path[0]``, working directory, environment, ``-W`` options, stdin (a pipe or
``/dev/null``), stdout and stderr (files); it ends like an interpreter does (``SystemExit``
codes, a traceback and status 1 for an uncaught exception, atexit handlers, non-daemon threads
joined).
``tests/docs/test_zygote.py`` runs the same probe programs both ways and compares. What an
interpreter reads only at its start (``PYTHON*`` variables such as ``PYTHONWARNINGS``) cannot
differ from the server's: :func:`forkable` says when a real interpreter is needed instead.

Protocol (bytes on the server's stdin/stdout, one JSON object or line per message):
request ``{"argv": [...], "module": name or null, "cwd": ..., "env": {...}, "warnings": [...],
"stdin": text or null, "output": path, "stderr": path or null}`` (``module`` runs it as
``python -m``; ``stdin`` is fed through a pipe, else ``/dev/null``; ``stderr`` null: into
``output``);
replies ``pid N`` when the child is forked and ``status S`` when it is reaped (S as
:attr:`subprocess.Popen.returncode`: negative for a signal). The server exits at end of input.

:class:`Zygote` is the client side; :func:`run_blocking` and :func:`run_forked` run one program,
bounded in time. ``tests/cli/runner.py`` runs most CLI commands (``python -m gemini_live``) this
way too; the tests about the interpreter's start, signals and terminals start a real one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import warnings
from pathlib import Path
from typing import Any

__all__ = ["Zygote", "forkable", "run_blocking", "run_forked", "run_source", "zygote"]

PRELOAD = ("asyncio", "gemini_live")


def _preload() -> None:
    import importlib

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in PRELOAD:
            importlib.import_module(name)
        package = sys.modules["gemini_live"]
        for name in package.__all__:  # the package loads a public name's module at first use
            getattr(package, name)
    if caught:  # a program run for real would see these itself: do not hide them
        sys.stderr.write(f"zygote: preloading {PRELOAD} warned: {caught[0].message}\n")
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
    if request.get("stdin") is None:
        source = os.open(os.devnull, os.O_RDONLY)
    else:  # a pipe, as `subprocess.run(input=...)` gives (asyncio cannot read a regular file)
        source, sink = os.pipe()
        data = request["stdin"].encode()

        def feed() -> None:
            # Unbuffered: closing flushes nothing, so a reader that left early costs nothing.
            with contextlib.suppress(BrokenPipeError), open(sink, "wb", buffering=0) as pipe:
                pipe.write(data)

        threading.Thread(target=feed, daemon=True).start()
    output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    errors = output
    if request.get("stderr") is not None:
        errors = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(source, 0)
    os.dup2(output, 1)
    os.dup2(errors, 2)
    for descriptor in {source, output, errors}:
        os.close(descriptor)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    argv = list(request["argv"])
    sys.argv = argv
    if request.get("module") is None:
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
    else:
        sys.path[0] = os.getcwd()  # what `python -m` puts first
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
    # What the server has loaded stays out of the cyclic garbage collector from here on: a
    # child's collections and its exit (the collection at interpreter shutdown) then walk only
    # the program's own objects instead of touching, and so copying, every page inherited from
    # the server (a program's exit cost ~40 ms of CPU more without this). The preloaded objects
    # live as long as the program in a real interpreter too.
    gc.collect()
    gc.freeze()
    child_request = _serve()
    if child_request is not None:
        _become(child_request)
        # Exceptions and SystemExit leave through the interpreter's own exit path, as they would
        # from a program run with `python PROGRAM`.
        if child_request.get("module") is None:
            _run_as_main(child_request["argv"][0])
        else:  # `python -m MODULE`: sys.argv[0] becomes the module's file, as there
            runpy.run_module(child_request["module"], run_name="__main__", alter_sys=True)
    sys.exit(0)


class Zygote:
    """A running fork server (see the module docstring); one program at a time."""

    def __init__(self) -> None:
        # What the server's interpreter read at its start (see :func:`forkable`).
        self.start_variables = {n: v for n, v in os.environ.items() if n.startswith("PYTHON")}
        self._proc = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the server's own failures show in the test output
        )
        self._lock = threading.Lock()
        self._replies = bytearray()

    def _reply(self, word: str, limit: float) -> int | None:
        """The next ``WORD N`` line's N, or None after ``limit`` seconds."""
        assert self._proc.stdout is not None
        descriptor = self._proc.stdout.fileno()
        deadline = time.monotonic() + limit
        while b"\n" not in self._replies:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([descriptor], [], [], left)[0]:
                return None
            chunk = os.read(descriptor, 4096)
            if not chunk:
                raise RuntimeError(f"fork server stopped (exit {self._proc.poll()})")
            self._replies += chunk
        line, _, rest = bytes(self._replies).partition(b"\n")
        self._replies[:] = rest
        text = line.decode()
        if not text.startswith(word + " "):
            raise RuntimeError(f"fork server said {text!r}, expected {word!r}")
        return int(text.split()[1])

    def run_blocking(self, request: dict[str, Any], limit: float) -> int:
        """Run one program; its exit status (-9 if killed after ``limit`` seconds)."""
        assert self._proc.stdin is not None
        with self._lock:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
            pid = self._reply("pid", 30)
            if pid is None:
                raise RuntimeError("fork server did not fork within 30 s")
            status = self._reply("status", limit)
            if status is None:
                os.kill(pid, signal.SIGKILL)
                if self._reply("status", 30) is None:
                    raise RuntimeError(f"process {pid} not reaped 30 s after SIGKILL")
                return -9
            return status

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


def forkable(env: dict[str, str]) -> bool:
    """Whether a program run with ``env`` starts as it would in a new interpreter: every
    ``PYTHON*`` variable (read at an interpreter's start) as the fork server has it."""
    started = zygote().start_variables
    return {n: v for n, v in env.items() if n.startswith("PYTHON")} == started


def run_blocking(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    limit: float,
    warning_options: tuple[str, ...] = (),
    module: str | None = None,
    stdin: str | None = None,
) -> tuple[int, str, str]:
    """``python [-W OPTION]... ARGV`` (or ``python -m MODULE ARGV[1:]``) in ``cwd`` with ``env``
    and ``stdin`` piped in: (status, stdout, stderr)."""
    paths: list[str] = []
    for name in ("stdout", "stderr"):
        descriptor, path = tempfile.mkstemp(prefix=f"zygote-{name}-", suffix=".txt")  # not cwd
        os.close(descriptor)
        paths.append(path)
    request = {
        "argv": list(argv),
        "module": module,
        "cwd": str(cwd),
        "env": env,
        "warnings": list(warning_options),
        "stdin": stdin,
        "output": paths[0],
        "stderr": paths[1],
    }
    try:
        status = zygote().run_blocking(request, limit)
        out, err = (_read(path) for path in paths)
    finally:
        for path in paths:
            os.unlink(path)
    if status == -9:
        err += f"\n[killed after {limit} s]"
    return status, out, err


async def run_forked(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    warning_options: list[str],
    limit: float,
    module: str | None = None,
) -> tuple[int, str]:
    """``python -W OPTIONS ARGV`` (or ``python -W OPTIONS -m MODULE ARGV[1:]``) in ``cwd`` with
    ``env``: (status, stdout then stderr)."""
    status, out, err = await asyncio.to_thread(
        run_blocking,
        argv,
        cwd=cwd,
        env=env,
        limit=limit,
        warning_options=tuple(warning_options),
        module=module,
    )
    return status, out + err


def run_source(source: str, directory: Path, *, limit: float = 60.0) -> tuple[int, str, str]:
    """The program ``source`` written to ``DIRECTORY/program.py`` and run there as ``python
    program.py`` with this process's environment, forked (a new interpreter if the environment
    needs one): (status, stdout, stderr). For a check that needs a process of its own, such as
    what importing a module loads: the fork server has loaded ``asyncio`` and ``gemini_live``
    (with its public names) and nothing else the program does not load itself."""
    program = directory / "program.py"
    program.write_text(source, encoding="utf-8")
    env = dict(os.environ)
    if forkable(env):
        return run_blocking([program.name], cwd=directory, env=env, limit=limit)
    done = subprocess.run(
        [sys.executable, program.name],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr
