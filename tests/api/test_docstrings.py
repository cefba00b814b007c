"""Every public name has its own docstring: the API reference is generated from them.

Public names: everything in the ``__all__`` of ``gemini_live`` and of the public subpackages
listed in ``MODULES``, and the public methods and properties of the classes among them
(inherited ones included when they are defined inside gemini_live). A class's docstring must
be its own: an Enum inherits Enum's, and a dataclass without one gets its signature as
``__doc__``, neither of which documents anything.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import gemini_live
import gemini_live.audio
import gemini_live.conversation
import gemini_live.media
import gemini_live.testing
import gemini_live.tools
import gemini_live.video
import gemini_live.web

MODULES: tuple[ModuleType, ...] = (
    gemini_live,
    gemini_live.audio,
    gemini_live.conversation,
    gemini_live.media,
    gemini_live.testing,
    gemini_live.tools,
    gemini_live.video,
    gemini_live.web,
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


def test_every_public_name_has_a_docstring() -> None:
    missing = missing_docstrings()
    assert missing == [], "public names without a docstring:\n" + "\n".join(missing)


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
