"""The README's writer table names each method's parameters as the code does.

(It once called ``send_audio``'s parameter ``pcm16``; the code says ``data``, so a keyword call
written from the README failed.)
"""

from __future__ import annotations

import inspect
import re

import gemini_live
from tests.docs.snippets import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
_CALL = re.compile(r"`([a-z_]+)\(([^)]*)\)`")


def _documented_calls() -> list[tuple[str, list[str]]]:
    calls = []
    for line in README.splitlines():
        if not line.startswith("| `"):
            continue
        for name, params in _CALL.findall(line.split("|")[1]):
            if hasattr(gemini_live.SessionWriter, name):
                names = [p.split(":")[0].split("=")[0].strip() for p in params.split(",")]
                calls.append((name, [n for n in names if n]))
    return calls


def test_the_writer_table_uses_the_real_parameter_names() -> None:
    calls = _documented_calls()
    assert {name for name, _ in calls} >= {"send_audio", "send_text", "send_tool_response"}
    wrong = []
    for name, documented in calls:
        signature = inspect.signature(getattr(gemini_live.SessionWriter, name))
        actual = [p for p in signature.parameters if p != "self"]
        if documented != actual[: len(documented)]:
            wrong.append(f"{name}({', '.join(documented)}): the code says ({', '.join(actual)})")
    assert wrong == []
