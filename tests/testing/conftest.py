"""Fixtures for the emulator tests: the plugin's own fixtures."""

from __future__ import annotations

# The emulator's own plugin, imported rather than listed in pytest_plugins (which pytest honours
# only in the root conftest), so these tests use exactly what users get.
from gemini_live.testing.pytest_plugin import (
    live_emulator,
    live_emulator_factory,
    pytest_configure,
)

__all__ = ["live_emulator", "live_emulator_factory", "pytest_configure"]
