"""Find the ``python`` code blocks of Markdown files and run them against an emulator.

Markers (an HTML comment on the last non-blank line before the opening fence):

``<!-- not-run: reason -->``
    the block is not executed (e.g. it needs a microphone); the reason is required.
``<!-- continues -->``
    the block continues the previous ``python`` block of the same file: the chain of blocks runs
    once, as one program, at its last block (for a page that explains a program piece by piece).
``<!-- run-with: pytest -->``
    the block is a test module: it is written to ``test_snippet.py`` in an empty project and run
    with ``python -m pytest`` (the package's pytest plugin comes in through its entry point).

Every other block is a complete program run as ``python`` would run it. Both kinds run in their own
process, forked from a server that has already imported ``gemini_live`` (:mod:`tests.docs.zygote`;
a new interpreter per block cost more than running most of them). Runs happen in a fresh temporary
directory, with ``GEMINI_LIVE_BASE_URL`` pointing at a started emulator and
``GEMINI_API_KEY=test-key``, so ``gemini_live.connect(...)`` in a snippet reaches the emulator
unchanged.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from gemini_live.testing import Emulator
from tests.docs.zygote import forkable, run_forked

__all__ = [
    "NO_DEPRECATED",
    "ROOT",
    "UNSET_LOOP_SCOPE",
    "UNUSED_PLUGINS",
    "Snippet",
    "markdown_files",
    "run_program",
    "snippets",
]

ROOT = Path(__file__).resolve().parents[2]
NO_DEPRECATED = "error::DeprecationWarning:__main__"
"""``python -W`` filter: a deprecated call made by the program itself is an error."""
UNUSED_PLUGINS = ("-p", "no:benchmark", "-p", "no:hypothesispytest", "-p", "no:anyio")
"""``pytest`` options for a user project run here: plugins a machine may have installed that such
a project does not use (starting pytest-benchmark alone runs ``git`` and ``file``: ~0.4 s)."""
UNSET_LOOP_SCOPE = "ignore:The configuration option \"asyncio_default_fixture_loop_scope\" is unset"
"""Warning filter for a user project run in this process: pytest-asyncio warns such a project
that it leaves its fixtures' loop scope unset, which is noise here. Needed both as a mark on the
test (pytest 9.0 reports the warning in this run) and as the inner run's ``-W`` (pytest 9.2
records it under the inner run's filters)."""
LIMIT = 60.0  # seconds per snippet; they take well under one against the emulator

_FENCE = re.compile(r"^(\s*)```+\s*([\w+-]*)")
_MARKER = re.compile(r"^\s*<!--\s*(not-run|continues|run-with)\s*(?::\s*(.*?))?\s*-->\s*$")


@dataclass(frozen=True)
class Snippet:
    """One runnable program: a block (and the blocks it continues)."""

    path: Path
    line: int  # 1-based line of the opening fence
    source: str
    skip_reason: str | None = None
    runner: str = "python"

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def markdown_files() -> list[Path]:
    """README.md and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def snippets(path: Path) -> list[Snippet]:
    """The ``python`` blocks of one file, with their markers applied."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    chain = ""
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        indent, lang = fence.group(1), fence.group(2).lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        if lang not in ("python", "py"):
            continue
        marker, argument = _marker_before(lines, start)
        source = "\n".join(body) + "\n"
        if marker == "not-run":
            if not argument:
                raise ValueError(f"{path}:{start + 1}: <!-- not-run: reason --> needs a reason")
            found.append(Snippet(path, start + 1, source, skip_reason=argument))
            continue
        if marker == "continues":
            if not chain:
                raise ValueError(f"{path}:{start + 1}: <!-- continues --> without a block before")
            source = chain + "\n" + source
            # The chain runs once, as a whole, at its last block (which includes this one).
            if found and found[-1].source == chain:
                found.pop()
        runner = "python"
        if marker == "run-with":
            if argument != "pytest":
                raise ValueError(f"{path}:{start + 1}: unknown runner {argument!r}")
            runner = "pytest"
        chain = source
        found.append(Snippet(path, start + 1, source, runner=runner))
    return found


def _marker_before(lines: list[str], fence: int) -> tuple[str | None, str]:
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None, ""
    match = _MARKER.match(lines[j])
    if match is None:
        return None, ""
    return match.group(1), (match.group(2) or "").strip()


async def run_program(
    args: list[str], cwd: Path, emulator: Emulator, limit: float = LIMIT
) -> tuple[int, str]:
    """Run ``python ARGS`` in ``cwd`` pointed at ``emulator``; returns (status, output).

    ``[-W OPTION]... PROGRAM.py ARGS`` and ``[-W OPTION]... -m MODULE ARGS`` (``-m pytest ...``)
    run in a process forked from the fork server (:mod:`tests.docs.zygote`), unless ``env``
    changes what an interpreter reads at its start; anything else starts a new interpreter.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY", "SSL_CERT_FILE")}
    env.update(GEMINI_LIVE_BASE_URL=emulator.url, GEMINI_API_KEY="test-key")
    env.pop("PYTEST_ADDOPTS", None)
    options: list[str] = []
    rest = list(args)
    while rest[:1] == ["-W"] and len(rest) >= 2:
        options.append(rest[1])
        rest = rest[2:]
    if rest and rest[0].endswith(".py") and not rest[0].startswith("-") and forkable(env):
        return await run_forked(rest, cwd=cwd, env=env, warning_options=options, limit=limit)
    if rest[:1] == ["-m"] and len(rest) >= 2 and forkable(env):  # sys.argv[0] becomes the file
        argv = [sys.executable, *rest[2:]]
        return await run_forked(
            argv, cwd=cwd, env=env, warning_options=options, limit=limit, module=rest[1]
        )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(limit):
            out, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
        return -9, out.decode(errors="replace") + f"\n[killed after {limit} s]"
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")
