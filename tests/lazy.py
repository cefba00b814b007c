"""Import heavy optional packages on first use, not when pytest collects the test module.

Every pytest-xdist worker collects (imports) every test module, so a module-level
``import mcp`` or ``from google import genai`` costs each worker about a second of CPU even when
another worker runs those tests. :func:`require` skips a module whose package is missing without
importing it; :class:`Lazy` stands for a module and imports it at the first attribute access.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from types import ModuleType
from typing import Any

import pytest

__all__ = ["Lazy", "require"]


def require(
    module: str,
    *,
    distribution: str | None = None,
    minversion: str | None = None,
    reason: str | None = None,
) -> None:
    """Skip the calling test module unless ``module`` can be imported (without importing it).

    ``minversion`` is compared with the installed ``distribution``'s version (major.minor...);
    ``reason`` replaces the skip message when the module is missing.
    """
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package
        found = False
    if not found:
        pytest.skip(reason or f"could not import {module!r}", allow_module_level=True)
    if minversion is not None:
        installed = importlib.metadata.version(distribution or module)
        if _release(installed) < _release(minversion):
            pytest.skip(
                f"{distribution or module} {installed} is older than {minversion}",
                allow_module_level=True,
            )


def _release(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if not piece.isdigit() else piece
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    return tuple(parts)


class Lazy:
    """A module that is imported at the first attribute access (``Lazy("google.genai").Client``)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # pytest probes module globals (``__test__``, ...)
            raise AttributeError(attribute)
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)
