"""A small docstring reader: the description and the per-parameter texts.

Three styles are understood, and mixed freely (the first one that yields parameters wins):

* Google: an ``Args:`` (or ``Arguments:``, ``Parameters:``, ``Attributes:``) section with
  ``name (type): text`` entries, continuation lines indented deeper;
* NumPy: a ``Parameters`` (or ``Attributes``) heading underlined with dashes, then ``name : type``
  lines with the text indented below;
* reST/Sphinx: ``:param name: text`` or ``:param type name: text`` fields.

The description is everything before the first section or field. Only what a function
declaration needs is extracted; return and raise sections are recognised so they end the
description but are otherwise ignored.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_GOOGLE_PARAMS = {"args", "arguments", "parameters", "params", "attributes", "keyword args"}
_GOOGLE_OTHER = {
    "returns",
    "return",
    "yields",
    "yield",
    "raises",
    "raise",
    "examples",
    "example",
    "notes",
    "note",
    "see also",
    "warning",
    "warnings",
    "references",
    "todo",
}
_GOOGLE_HEADING = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}([A-Za-z_]\w*)\s*(?::\s*(.*))?$")
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]*?))?\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Docstring:
    """What a declaration uses from a docstring."""

    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(lines: list[str]) -> str:
    # Continuation lines of one entry form one paragraph; blank lines separate paragraphs.
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _google(lines: list[str], start: int) -> tuple[int, dict[str, str]]:
    """Parse the entries of a Google section whose heading is ``lines[start]``."""
    params: dict[str, str] = {}
    i = start + 1
    entry_indent: int | None = None
    name: str | None = None
    body: list[str] = []
    while i < len(lines):
        line = lines[i]
        if line.strip():
            indent = _indent(line)
            if indent == 0 and entry_indent != 0:
                break  # the next section (or text) at the margin
            if entry_indent is None:
                entry_indent = indent
            if indent <= entry_indent:
                if indent < entry_indent:
                    break
                match = _GOOGLE_ENTRY.match(line.strip())
                if match is None:
                    break
                if name is not None:
                    params[name] = _join(body)
                name, body = match.group(1), [match.group(3)]
            else:
                body.append(line)
        else:
            body.append("")
        i += 1
    if name is not None:
        params[name] = _join(body)
    return i, params


def _numpy(lines: list[str], start: int) -> tuple[int, dict[str, str]]:
    """Parse a NumPy section whose heading is ``lines[start]`` (underline at ``start + 1``)."""
    params: dict[str, str] = {}
    i = start + 2
    name: str | None = None
    body: list[str] = []
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[i + 1]) and line.strip():
            break  # the next section's heading
        if line.strip() and _indent(line) == 0:
            match = _NUMPY_ENTRY.match(line.strip())
            if match is None:
                break
            if name is not None:
                params[name] = _join(body)
            name, body = match.group(1), []
        else:
            body.append(line)
        i += 1
    if name is not None:
        params[name] = _join(body)
    return i, params


def _rest(lines: list[str], start: int) -> dict[str, str]:
    params: dict[str, str] = {}
    name: str | None = None
    body: list[str] = []
    for line in lines[start:]:
        match = _REST_FIELD.match(line.strip())
        if match is not None:
            if name is not None:
                params[name] = _join(body)
            name, body = None, []
            kind, arg, text = match.groups()
            if kind in ("param", "parameter", "arg", "argument", "key", "keyword") and arg:
                name, body = arg.split()[-1], [text]
        elif name is not None:
            body.append(line)
    if name is not None:
        params[name] = _join(body)
    return params


def parse_docstring(doc: str | None) -> Docstring:
    """Split ``doc`` into its description and the texts of its parameters (any of 3 styles)."""
    if not doc or not doc.strip():
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    description_end = len(lines)
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if stripped and _indent(line) == 0 and _NUMPY_UNDERLINE.match(nxt):
            description_end = min(description_end, i)
            heading = stripped.lower()
            end, found = _numpy(lines, i)
            if heading in _GOOGLE_PARAMS and not params:
                params = found
            i = end
            continue
        heading_match = _GOOGLE_HEADING.match(stripped) if _indent(line) == 0 else None
        if heading_match is not None:
            heading = heading_match.group(1).lower()
            if heading in _GOOGLE_PARAMS or heading in _GOOGLE_OTHER:
                description_end = min(description_end, i)
                end, found = _google(lines, i)
                if heading in _GOOGLE_PARAMS and not params:
                    params = found
                i = max(end, i + 1)
                continue
        if _REST_FIELD.match(stripped):
            description_end = min(description_end, i)
            if not params:
                params = _rest(lines, i)
            break
        i += 1
    description = "\n".join(lines[:description_end]).strip()
    return Docstring(description=description, params=params)
