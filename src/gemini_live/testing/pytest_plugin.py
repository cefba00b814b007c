"""pytest fixtures for testing Live applications against the local emulator.

Installing gemini-live registers this plugin with pytest (a ``pytest11`` entry point): nothing
to enable. The fixtures are asynchronous and run on ``pytest-asyncio`` (``pip install
'gemini-live[pytest]'`` installs both). No ``asyncio_mode`` setting or marker is needed for a
test that uses them: an ``async def`` test requesting ``live_emulator`` or
``live_emulator_factory`` is marked ``@pytest.mark.asyncio`` by this plugin, in pytest-asyncio's
default strict mode too (tests already marked for another async framework, e.g. ``anyio``, are
left alone). Your other async tests follow your pytest-asyncio configuration as usual.

``live_emulator`` (async, function scope) yields a started :class:`Emulator`::

    async def test_echo(live_emulator):
        async with gemini_live.connect("gemini-3.8-live", base_url=live_emulator.url,
                                       credentials=gemini_live.ApiKey("test")) as session:
            ...

Configure it per test with the ``live_emulator`` marker, whose keyword arguments are
:class:`EmulatorOptions` fields: ``@pytest.mark.live_emulator(audio_pace=0.04)``.

``live_emulator_factory`` yields an async function ``make(**options) -> Emulator`` that starts
emulators on demand; all of them are stopped when the test ends.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, TypeVar, cast

import pytest

from gemini_live.testing.emulator import Emulator

try:
    import pytest_asyncio

    _decorator: Any = pytest_asyncio.fixture
    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised in a project without pytest-asyncio
    _decorator = pytest.fixture
    _HAVE_PYTEST_ASYNCIO = False

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(func: _F) -> _F:
    return cast(_F, _decorator(func))


__all__ = [
    "FIXTURES",
    "live_emulator",
    "live_emulator_factory",
    "pytest_configure",
    "pytest_pycollect_makeitem",
]

FIXTURES = ("live_emulator", "live_emulator_factory")
"""The fixtures this plugin provides; an ``async def`` test using one is run by pytest-asyncio."""

# Markers of async test runners other than pytest-asyncio: such tests are not ours to mark.
_OTHER_RUNNERS = ("anyio", "trio")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``live_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        "live_emulator(**options): EmulatorOptions for the live_emulator fixture",
    )


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, None]:
    """Mark ``async def`` tests that use our fixtures with ``asyncio``, whatever the mode.

    ``trylast`` makes this the innermost wrapper, so the marker is on the items before
    pytest-asyncio's own wrapper decides which items it runs.
    """
    outcome = yield
    if not _HAVE_PYTEST_ASYNCIO or not inspect.iscoroutinefunction(obj):
        return
    try:
        result = outcome.get_result()
    except BaseException:
        return
    items = result if isinstance(result, list) else [result]
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        if not any(name in item.fixturenames for name in FIXTURES):
            continue
        if any(item.get_closest_marker(m) for m in ("asyncio", *_OTHER_RUNNERS)):
            continue
        item.add_marker(pytest.mark.asyncio)


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
