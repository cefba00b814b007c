"""Every public name has its own docstring: the API reference is generated from them.

Public names: everything in ``gemini_live.__all__`` and ``gemini_live.testing.__all__``, and the
public methods and properties of the classes among them (inherited ones included when they are
defined inside gemini_live). A class's docstring must be its own: an Enum inherits Enum's, and a
dataclass without one gets its signature as ``__doc__``, neither of which documents anything.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import gemini_live
import gemini_live.testing

MODULES: tuple[ModuleType, ...] = (gemini_live, gemini_live.testing)

# Names in client/ and protocol/, which are being restructured in parallel by another change
# that fills their docstrings there. Remove this list once that work is merged: the test then
# requires them like every other name.
PENDING_ELSEWHERE: frozenset[str] = frozenset(
    {
        "gemini_live.Content.from_text",
        "gemini_live.ExponentialBackoff.connected",
        "gemini_live.ExponentialBackoff.next_delay",
        "gemini_live.ExponentialBackoff.reset",
        "gemini_live.GenerationConfig",
        "gemini_live.LiveConfig.input_audio_mime_type",
        "gemini_live.Phase",
        "gemini_live.Platform",
        "gemini_live.RealtimeInputConfig",
        "gemini_live.RecordingWriter.disconnect",
        "gemini_live.RecordingWriter.send_audio",
        "gemini_live.RecordingWriter.send_audio_stream_end",
        "gemini_live.RecordingWriter.send_client_content",
        "gemini_live.RecordingWriter.send_text",
        "gemini_live.RecordingWriter.send_tool_response",
        "gemini_live.RecordingWriter.send_video",
        "gemini_live.RecordingWriter.signal_activity_end",
        "gemini_live.RecordingWriter.signal_activity_start",
        "gemini_live.RecordingWriter.update_instruction",
        "gemini_live.RecordingWriter.update_tools",
        "gemini_live.TeeWriter.disconnect",
        "gemini_live.TeeWriter.send_audio",
        "gemini_live.TeeWriter.send_audio_stream_end",
        "gemini_live.TeeWriter.send_client_content",
        "gemini_live.TeeWriter.send_text",
        "gemini_live.TeeWriter.send_tool_response",
        "gemini_live.TeeWriter.send_video",
        "gemini_live.TeeWriter.signal_activity_end",
        "gemini_live.TeeWriter.signal_activity_start",
        "gemini_live.TeeWriter.update_instruction",
        "gemini_live.TeeWriter.update_tools",
    }
)


def _own_class_doc(cls: type) -> str:
    doc = cls.__dict__.get("__doc__") or ""
    if doc.startswith(f"{cls.__name__}(") and doc.rstrip().endswith(")"):
        return ""  # the signature dataclasses put there when the class has no docstring
    return doc.strip()


def _member_doc(member: Any) -> str:
    if isinstance(member, staticmethod | classmethod):
        member = member.__func__
    return (inspect.getdoc(member) or "").strip()


def _public_members(cls: type) -> Iterator[tuple[str, Any]]:
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("gemini_live"):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            raw = member.__func__ if isinstance(member, staticmethod | classmethod) else member
            if isinstance(raw, property) or inspect.isfunction(raw):
                yield name, getattr(cls, name) if not isinstance(raw, property) else raw


def public_names() -> Iterator[tuple[str, Any, str]]:
    """(qualified name, object, its docstring) for every public name."""
    for module in MODULES:
        for name in module.__all__:
            if name.startswith("__"):
                continue
            obj = getattr(module, name)
            qualified = f"{module.__name__}.{name}"
            if inspect.isclass(obj):
                yield qualified, obj, _own_class_doc(obj)
                if issubclass(obj, BaseException):
                    continue
                for member_name, member in _public_members(obj):
                    yield f"{qualified}.{member_name}", member, _member_doc(member)
            elif inspect.isfunction(obj):
                # (Type aliases such as ``Moment`` are documented by an attribute docstring,
                # which only the source has: the API reference reads it from there.)
                yield qualified, obj, _member_doc(obj)


def missing_docstrings() -> list[str]:
    """The public names without a docstring, sorted."""
    return sorted(name for name, _obj, doc in public_names() if not doc)


def test_every_public_name_outside_pending_work_has_a_docstring() -> None:
    missing = [name for name in missing_docstrings() if name not in PENDING_ELSEWHERE]
    assert missing == [], "public names without a docstring:\n" + "\n".join(missing)


@pytest.mark.xfail(
    strict=False,
    reason="docstrings of client/ and protocol/ names pending in parallel work (see list)",
)
def test_the_pending_names_have_docstrings_too() -> None:
    missing = [name for name in missing_docstrings() if name in PENDING_ELSEWHERE]
    assert missing == [], "still without a docstring:\n" + "\n".join(missing)


def test_the_check_sees_a_missing_docstring() -> None:
    from dataclasses import dataclass
    from enum import Enum

    @dataclass
    class Undocumented:
        x: int

    class Colour(Enum):
        RED = 1

    assert _own_class_doc(Undocumented) == ""
    assert _own_class_doc(Colour) == ""
