"""Fixtures for the fidelity tests: TLS emulators and google-genai clients aimed at them.

google-genai always dials ``wss://``, so every emulator here serves TLS with its self-signed
certificate, and clients trust it through public options only: ``HttpOptions.async_client_args``
(``{"ssl": context}``, which the SDK hands to ``websockets``) or the ``SSL_CERT_FILE`` variable.
``google.genai`` is imported lazily so that, without it, the test module's ``importorskip`` skips
cleanly instead of this file failing to import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import pytest
import pytest_asyncio

from gemini_live.testing import Emulator
from gemini_live.testing.pytest_plugin import live_emulator_factory

if TYPE_CHECKING:
    from google import genai

__all__ = [
    "ClientFactory",
    "genai_client",
    "live_emulator_factory",
    "no_ambient_config",
    "tls_emulator",
]

API_KEY = "test-key"
"""A fake key: the emulator accepts any non-empty credential, and nothing leaves 127.0.0.1."""

# Variables that would redirect the SDK (Vertex mode, project, other keys) or route its
# websocket through a proxy; a developer's shell or a CI runner may set any of them.
_AMBIENT = (
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_GENAI_API_VERSION",
    "GOOGLE_GENAI_HTTP_CLIENT",
    "GOOGLE_GENAI_CLIENT_MODE",
    "GOOGLE_GENAI_REPLAYS_DIRECTORY",
    "GOOGLE_GENAI_REPLAY_ID",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate every test from the caller's Google/proxy environment."""
    for name in _AMBIENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest_asyncio.fixture
async def tls_emulator(
    live_emulator_factory: Callable[..., Awaitable[Emulator]],
) -> Callable[..., Awaitable[Emulator]]:
    """``await tls_emulator(**options)``: a started ``Emulator(tls=True, **options)``."""

    async def make(**options: Any) -> Emulator:
        return await live_emulator_factory(tls=True, **options)

    return make


class ClientFactory(Protocol):
    """Builds a ``genai.Client`` for an emulator (closed when the test ends)."""

    def __call__(
        self, emu: Emulator, *, vertexai: bool = False, trust_via_options: bool = True
    ) -> genai.Client: ...


@pytest_asyncio.fixture
async def genai_client() -> AsyncIterator[ClientFactory]:
    """A factory of google-genai clients pointed at an emulator through public options.

    The base URL ends in ``/`` like the SDK's own defaults, so the SDK dials ``//ws/...`` exactly
    as it does against the service (docs/live-api.md §1.4). With ``trust_via_options=False`` no SSL
    option is given: the caller must have set ``SSL_CERT_FILE`` first.
    """
    from google import genai
    from google.genai import types

    clients: list[genai.Client] = []

    def make(
        emu: Emulator, *, vertexai: bool = False, trust_via_options: bool = True
    ) -> genai.Client:
        http_options = types.HttpOptions(
            base_url=f"{emu.http_url}/",
            async_client_args={"ssl": emu.ssl_context} if trust_via_options else None,
        )
        client = genai.Client(vertexai=vertexai, api_key=API_KEY, http_options=http_options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aio.aclose()
