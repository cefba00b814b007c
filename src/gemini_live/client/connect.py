"""``connect()``: pick the endpoint and credentials, validate the config, open a session.

Auth, URLs, the handshake and parsing are separate steps here (``endpoints``, ``handshake``,
``protocol``); this module only wires them together::

    async with gemini_live.connect("gemini-3.8-live") as session: ...   # GEMINI_API_KEY
    session = await gemini_live.connect("gemini-3.8-live", api_key=key)
    ...
    await session.disconnect()
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from gemini_live.client import endpoints
from gemini_live.client.driver import SessionDriver
from gemini_live.client.endpoints import Endpoint
from gemini_live.client.keeper import open_session
from gemini_live.client.options import SessionOptions
from gemini_live.client.session import Session
from gemini_live.errors import ConfigError, ConnectError, LiveError
from gemini_live.protocol.config import (
    LiveConfig,
    Platform,
    SessionResumptionConfig,
    validate_config,
)
from gemini_live.protocol.live import LiveProtocol

__all__ = ["connect"]

TokenProvider = Callable[[], Awaitable[str]]


class _Connecting:
    """What :func:`connect` returns: await it, or use it as ``async with``."""

    def __init__(self, factory: Callable[[], Awaitable[Session]]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __await__(self) -> Generator[Any, None, Session]:
        return self._factory().__await__()

    async def __aenter__(self) -> Session:
        self._session = await self._factory()
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.disconnect()


def connect(
    model: str,
    *,
    config: LiveConfig | None = None,
    api_key: str | None = None,
    ephemeral_token: str | None = None,
    vertex_project: str | None = None,
    vertex_location: str | None = None,
    vertex_token: str | TokenProvider | None = None,
    base_url: str | None = None,
    platform: Platform | None = None,
    api_version: str | None = None,
    options: SessionOptions | None = None,
    vertex_system_turns: bool | None = None,
) -> _Connecting:
    """Open a Live session.

    Credentials, in order: ``ephemeral_token`` (Google AI ``BidiGenerateContentConstrained``);
    Vertex AI when ``vertex_project`` is given (``vertex_token`` is a bearer token or an async
    callable returning one; default: Application Default Credentials via the ``[vertex]``
    extra); otherwise a Google AI API key (``api_key``, else ``GEMINI_API_KEY``, else
    ``GOOGLE_API_KEY``). ``base_url`` (``ws://``/``wss://``) replaces the service host, e.g. for
    the local emulator or a proxy; ``platform`` then says which protocol flavour to speak
    (default Google AI, or Vertex when ``vertex_project`` is set). Without ``base_url``, a
    non-empty ``GEMINI_LIVE_BASE_URL`` environment variable is used the same way, so that an
    unchanged program can be pointed at the emulator.

    Session resumption is turned on unless ``config.session_resumption`` says otherwise.
    Raises ``ConfigError`` before connecting for an invalid config, then ``ConnectError``,
    ``AuthenticationError``, ``SetupRejected`` or ``SetupTimeout``.
    """
    if not isinstance(model, str) or not model.strip():
        raise ConfigError("connect(): model must be a non-empty string, e.g. 'gemini-3.8-live'")
    resolved_platform = platform or (Platform.VERTEX if vertex_project else Platform.GOOGLE_AI)
    if base_url is None:
        base_url = os.environ.get("GEMINI_LIVE_BASE_URL", "").strip() or None
    cfg = config if config is not None else LiveConfig()
    if not isinstance(cfg, LiveConfig):
        raise TypeError(f"connect(): config must be a LiveConfig, got {type(cfg).__name__}")
    if cfg.session_resumption is None:
        cfg = dataclasses.replace(cfg, session_resumption=SessionResumptionConfig())
    validate_config(cfg, resolved_platform)
    opts = options if options is not None else SessionOptions()
    # Vertex documents the role-"system" turn; Google AI rejects it (1007) and has contextUpdate.
    system_turns = (
        vertex_system_turns
        if vertex_system_turns is not None
        else resolved_platform is Platform.VERTEX
    )
    provider, resource = _endpoint_provider(
        model,
        platform=resolved_platform,
        api_key=api_key,
        ephemeral_token=ephemeral_token,
        project=vertex_project,
        location=vertex_location,
        vertex_token=vertex_token,
        base_url=base_url,
        api_version=api_version,
    )

    async def factory() -> Session:
        protocol = LiveProtocol(
            model=resource,
            config=cfg,
            platform=resolved_platform,
            retry_policy=opts.retry_policy,
            reconnect=opts.reconnect,
            max_audio_age=opts.max_audio_age,
            go_away_margin=opts.go_away_margin,
            on_resume_failure=opts.on_resume_failure,
            replay_index_origin=opts.replay_index_origin,
            max_tracked_calls=opts.max_tracked_calls,
        )
        driver = SessionDriver(protocol, provider, opts)
        await open_session(driver)
        return Session(driver, config=cfg, vertex_system_turns=system_turns)

    return _Connecting(factory)


async def _call_token_provider(provider: TokenProvider) -> str:
    """Ask the application's token provider, as a connection step.

    Its failure is a failure to connect (``ConnectError``, retried during a reconnect like any
    network error, bounded by the retry policy), not a bug of the session: a token refresh often
    fails for the same network reason that made the session reconnect. Our own errors (e.g.
    ``AuthenticationError``) pass through. The provider's message is not repeated (it might
    quote a credential); the exception is kept as ``__cause__``.
    """
    try:
        return await provider()
    except LiveError:
        raise
    except Exception as exc:
        raise ConnectError(f"vertex_token provider failed ({type(exc).__name__})") from exc


def _endpoint_provider(
    model: str,
    *,
    platform: Platform,
    api_key: str | None,
    ephemeral_token: str | None,
    project: str | None,
    location: str | None,
    vertex_token: str | TokenProvider | None,
    base_url: str | None,
    api_version: str | None,
) -> tuple[Callable[[], Awaitable[Endpoint]], str]:
    """Validate credentials now (fail before connecting); return a per-attempt endpoint maker.

    The maker runs for every connection attempt so that expiring Vertex tokens are refreshed.
    """
    version: dict[str, str] = {"api_version": api_version} if api_version else {}
    if platform is Platform.VERTEX:
        if not project or not location:
            raise ConfigError("Vertex AI needs vertex_project= and vertex_location=")
        template = endpoints.vertex_endpoint(
            model, project=project, location=location, access_token="-", **version
        )

        async def vertex() -> Endpoint:
            if callable(vertex_token):
                token = await _call_token_provider(vertex_token)
            elif isinstance(vertex_token, str):
                token = vertex_token
            else:
                token = await endpoints.vertex_access_token()
            if base_url is not None:
                return endpoints.custom_endpoint(
                    base_url,
                    model,
                    platform="vertex",
                    token=token,
                    project=project,
                    location=location,
                    **version,
                )
            return endpoints.vertex_endpoint(
                model, project=project, location=location, access_token=token, **version
            )

        return vertex, template.model

    if ephemeral_token is not None:
        if base_url is not None:
            endpoint = endpoints.custom_endpoint(
                base_url, model, platform="google_ai", token=ephemeral_token, **version
            )
        else:
            endpoint = endpoints.ephemeral_token_endpoint(model, ephemeral_token, **version)
    else:
        key = endpoints.resolve_api_key(api_key)
        if base_url is not None:
            endpoint = endpoints.custom_endpoint(
                base_url, model, platform="google_ai", api_key=key, **version
            )
        else:
            endpoint = endpoints.google_ai_endpoint(model, key, **version)

    async def fixed() -> Endpoint:
        return endpoint

    return fixed, endpoint.model
