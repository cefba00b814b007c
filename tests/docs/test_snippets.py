"""Every ``python`` block of README.md and docs/ runs as written against the emulator.

See :mod:`tests.docs.snippets` for the markers (``not-run``, ``continues``, ``run-with``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gemini_live.testing import Emulator
from tests.docs.snippets import (
    NO_DEPRECATED,
    UNUSED_PLUGINS,
    Snippet,
    markdown_files,
    run_program,
    snippets,
)

ALL = [s for path in markdown_files() for s in snippets(path)]


@pytest.mark.parametrize("snippet", ALL, ids=[s.id for s in ALL])
async def test_snippet_runs_as_written(snippet: Snippet, tmp_path: Path) -> None:
    if snippet.skip_reason is not None:
        pytest.skip(f"not-run: {snippet.skip_reason}")
    if snippet.runner == "pytest":
        (tmp_path / "test_snippet.py").write_text(snippet.source, encoding="utf-8")
        args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", *UNUSED_PLUGINS, "test_snippet.py"]
    else:
        (tmp_path / "snippet.py").write_text(snippet.source, encoding="utf-8")
        # A snippet must not teach a deprecated call: the library's DeprecationWarnings name
        # the caller (the snippet, run as __main__), and here they are errors.
        args = ["-W", NO_DEPRECATED, "snippet.py"]
    async with Emulator() as emulator:
        status, output = await run_program(args, tmp_path, emulator)
    assert status == 0, f"{snippet.id} failed ({status}):\n{output}"


def test_there_are_snippets_and_the_readme_usage_prints_a_reply() -> None:
    readme = [s for s in ALL if s.path.name == "README.md"]
    assert readme, "README.md has no python blocks"
    assert any("OutputTranscription" in s.source for s in readme)


def test_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n```python\nx = 1\n```\n\n<!-- continues -->\n```python\nprint(x)\n```\n\n"
        "<!-- not-run: needs audio devices -->\n\n```python\nimport sounddevice\n```\n\n"
        "<!-- run-with: pytest -->\n```python\ndef test_a():\n    pass\n```\n\n"
        "```sh\necho not python\n```\n",
        encoding="utf-8",
    )
    chained, skipped, test = snippets(page)  # the chain runs once, at its last block
    assert chained.source == "x = 1\n\nprint(x)\n" and chained.line == 8
    assert skipped.skip_reason == "needs audio devices"
    assert test.runner == "pytest"
    page.write_text("<!-- not-run: -->\n```python\npass\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a reason"):
        snippets(page)


async def _run(source: str, tmp_path: Path) -> str:
    (tmp_path / "snippet.py").write_text(source, encoding="utf-8")
    async with Emulator() as emulator:
        status, output = await run_program(["snippet.py"], tmp_path, emulator)
    assert status == 0, output
    return output


async def test_the_readme_usage_example_prints_the_reply(tmp_path: Path) -> None:
    readme = [s for s in ALL if s.path.name == "README.md" and s.runner == "python"]
    usage = next(s for s in readme if 'send_text("Hello! Who are you?")' in s.source)
    assert (await _run(usage.source, tmp_path)).strip() == "Echo: Hello! Who are you?"


async def test_the_package_docstring_example_prints_the_reply(tmp_path: Path) -> None:
    import gemini_live

    doc = gemini_live.__doc__ or ""
    example: list[str] = []
    for line in doc.split("::", 1)[1].splitlines()[1:]:  # the indented block after "::"
        if line.strip() and not line.startswith(" "):
            break
        example.append(line)
    body = textwrap.indent(textwrap.dedent("\n".join(example)), "    ")
    program = f"import asyncio\n\nasync def main():\n{body}\n\nasyncio.run(main())\n"
    assert (await _run(program, tmp_path)).strip() == "Echo: Hello!"
