"""What the ``gemini-live`` command imports before it does anything.

``--version``, ``--help`` and bad usage load only the parser (checked in a new interpreter), and
``chat`` and ``talk`` import the conversation layer only for ``--transcript`` (read from the
source).

Parsing runs for every command, so what it imports is paid by every start: the session, its
transport (``websockets``) and ``asyncio`` cost about ten times a bare interpreter's start, and
each command imports them (through its own module) only when it runs. The child below runs the
real entry point (``python -m gemini_live``, as :mod:`runpy` runs it) once per command line, in
one interpreter to keep the test cheap, and reports what each one loaded beyond the bare
interpreter (and whatever its ``site`` loaded).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import gemini_live
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


# ------------------------------------------------------------------ what a command imports

SOURCE = Path(gemini_live.__file__).parent


def _module_level_imports(module: str) -> set[str]:
    """The gemini_live modules that importing ``module`` imports (with its packages), read from
    the source: every import statement outside functions and ``if TYPE_CHECKING:`` blocks."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            package = ".".join(parts[:i])
            path = SOURCE.parent.joinpath(*package.split("."))
            file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            if package in seen or not file.exists():
                continue
            seen.add(package)
            todo.extend(_imported_by(ast.parse(file.read_text(encoding="utf-8")).body))
    return seen


def _imported_by(body: list[ast.stmt]) -> list[str]:
    found: list[str] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            found += _imported_by(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for field in ("body", "orelse", "finalbody"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                found += _imported_by([c for c in children if isinstance(c, ast.stmt)])
        for handler in getattr(node, "handlers", ()):
            found += _imported_by(handler.body)
    return [name for name in found if name.split(".")[0] == "gemini_live"]


def test_chat_and_talk_import_the_conversation_layer_only_for_a_transcript() -> None:
    for command in ("chat", "talk"):
        imported = _module_level_imports(f"gemini_live.cli.{command}")
        assert "gemini_live.cli.transcript" in imported and "gemini_live.tools" in imported
        assert not {m for m in imported if m.startswith("gemini_live.conversation")}, command
    assert "gemini_live.conversation" in _module_level_imports("gemini_live.cli.demo")
