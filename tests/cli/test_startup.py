"""``gemini-live --version``, ``--help`` and bad usage load only the parser, in a new interpreter.

Parsing runs for every command, so what it imports is paid by every start: the session, its
transport (``websockets``) and ``asyncio`` cost about ten times a bare interpreter's start, and
each command imports them (through its own module) only when it runs. The child below runs the
real entry point (``python -m gemini_live``, as :mod:`runpy` runs it) once per command line, in
one interpreter to keep the test cheap, and reports what each one loaded beyond the bare
interpreter (and whatever its ``site`` loaded).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli.runner import LIMIT, cli_env

CHILD = r"""
import contextlib, io, json, runpy, sys
before = set(sys.modules)
report = []
for argv in json.loads(sys.argv[1]):
    sys.argv = ["gemini-live", *argv]
    out = io.StringIO()
    code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            runpy.run_module("gemini_live", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            code = exc.code
    report.append({"argv": argv, "code": code, "output": out.getvalue(),
                   "loaded": sorted(set(sys.modules) - before)})
print(json.dumps(report))
"""

# Exit status 0 (version, help) or 2 (bad usage): every one ends while parsing.
COMMAND_LINES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("--version",), 0),
    (("--help",), 0),
    *(((command, "--help"), 0) for command in ("demo", "chat", "talk", "web", "emulator")),
    (("talk",), 2),  # needs --in and --out, or --live
    (("web", "--port", "99999"), 2),
    (("bogus",), 2),
)

# All of the package that a parse may load (``__main__`` runs as ``__main__``): the parser, the
# option definitions, and the error tree (main() catches its base class). A command imports the
# rest when it runs.
PARSER_MODULES = {
    "gemini_live",
    "gemini_live.cli",
    "gemini_live.cli.options",
    "gemini_live.errors",
}

# Outside the package: what the session, the emulator and the extras would bring.
NOT_FOR_PARSING = (
    "asyncio",
    "websockets",
    "certifi",
    "ssl",
    "aiohttp",
    "numpy",
    "sounddevice",
    "mcp",
    "opentelemetry",
    "google",
)


def test_parsing_loads_only_the_parser() -> None:
    argvs = [list(argv) for argv, _ in COMMAND_LINES]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(argvs)],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [entry["argv"] for entry in report] == argvs
    for entry, (argv, status) in zip(report, COMMAND_LINES, strict=True):
        assert entry["code"] == status, (argv, entry["output"])
        ours = {m for m in entry["loaded"] if m.split(".")[0] == "gemini_live"}
        assert ours <= PARSER_MODULES, (argv, sorted(ours - PARSER_MODULES))
        others = [m for m in entry["loaded"] if m.split(".")[0] in NOT_FOR_PARSING]
        assert others == [], (argv, others)
    assert report[0]["output"].startswith("gemini-live ")  # --version
    assert "usage: gemini-live" in report[1]["output"]  # --help
    assert "gemini_live.cli" in report[0]["loaded"]  # the child did run the parser
