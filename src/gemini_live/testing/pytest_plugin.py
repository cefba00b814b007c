"""pytest fixtures for testing Live applications against the local emulator.

Enable with ``pytest_plugins = ["gemini_live.testing.pytest_plugin"]`` in your top-level
``conftest.py`` (or ``-p gemini_live.testing.pytest_plugin``). Requires ``pytest-asyncio``.

``live_emulator`` (async, function scope) yields a started :class:`Emulator`::

    async def test_echo(live_emulator):
        async with gemini_live.connect("gemini-3.8-live", base_url=live_emulator.url,
                                       api_key="test") as session:
            ...

Configure it per test with the ``live_emulator`` marker, whose keyword arguments are
:class:`EmulatorOptions` fields: ``@pytest.mark.live_emulator(audio_pace=0.04)``.

``live_emulator_factory`` yields an async function ``make(**options) -> Emulator`` that starts
emulators on demand; all of them are stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

import pytest

from gemini_live.testing.emulator import Emulator

try:
    import pytest_asyncio

    _decorator: Any = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - pytest-asyncio is a documented requirement
    _decorator = pytest.fixture

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(func: _F) -> _F:
    return cast(_F, _decorator(func))


__all__ = ["live_emulator", "live_emulator_factory", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``live_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        "live_emulator(**options): EmulatorOptions for the live_emulator fixture",
    )


@_async_fixture
async def live_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """A started emulator on 127.0.0.1 (options from the ``live_emulator`` marker)."""
    marker = request.node.get_closest_marker("live_emulator")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    async with Emulator(**options) as emulator:
        yield emulator


@_async_fixture
async def live_emulator_factory() -> AsyncIterator[Callable[..., Awaitable[Emulator]]]:
    """``await make(**options)`` starts another emulator; all are stopped at teardown."""
    started: list[Emulator] = []

    async def make(**options: Any) -> Emulator:
        emulator = Emulator(**options)
        await emulator.start()
        started.append(emulator)
        return emulator

    try:
        yield make
    finally:
        for emulator in reversed(started):
            await emulator.stop()
