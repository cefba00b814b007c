"""``connect()``: pick the endpoint and credentials, validate the config, open a session.

Auth, URLs, the handshake and parsing are separate steps here (``credentials``, ``endpoints``,
``handshake``, ``protocol``); this module only wires them together::

    async with gemini_live.connect("gemini-3.8-live") as session: ...   # $GEMINI_API_KEY
    session = await gemini_live.connect("gemini-3.8-live", credentials=ApiKey(key))
    ...
    await session.disconnect()
"""

from __future__ import annotations

import dataclasses
import functools
import os
import warnings
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from gemini_live.client import endpoints
from gemini_live.client.credentials import ApiKey, Credentials, EphemeralToken, Vertex
from gemini_live.client.driver import SessionDriver
from gemini_live.client.endpoints import Endpoint
from gemini_live.client.keeper import open_session
from gemini_live.client.options import SessionOptions, Timeouts
from gemini_live.client.session import Session
from gemini_live.errors import ConfigError, ConnectError, LiveError
from gemini_live.protocol.config import (
    LiveConfig,
    Platform,
    PlatformName,
    SessionResumptionConfig,
    platform_of,
    validate_config,
)
from gemini_live.protocol.live import LiveProtocol

__all__ = ["Connecting", "PlatformName", "connect"]

TokenProvider = Callable[[], Awaitable[str]]


class Connecting:
    """What :func:`connect` returns: ``await`` it for a :class:`Session`, or use it as
    ``async with`` (the session is disconnected when the block ends).

    Nothing is opened until it is awaited or entered; each ``await`` opens a new session.
    """

    __slots__ = ("_factory", "_session")

    def __init__(self, factory: Callable[[], Awaitable[Session]]) -> None:
        """Internal: made by :func:`connect`."""
        self._factory = factory
        self._session: Session | None = None

    def __await__(self) -> Generator[Any, None, Session]:
        """Open the session and return it. Safe to cancel (a half-open connection is dropped)."""
        return self._factory().__await__()

    async def __aenter__(self) -> Session:
        """Open the session for the ``async with`` block. Safe to cancel (nothing is left open)."""
        self._session = await self._factory()
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        """Disconnect the session opened by ``__aenter__``."""
        if self._session is not None:
            await self._session.disconnect()


def connect(
    model: str,
    *,
    credentials: Credentials | None = None,
    config: LiveConfig | None = None,
    base_url: str | None = None,
    platform: Platform | PlatformName | None = None,
    api_version: str | None = None,
    timeouts: Timeouts | None = None,
    options: SessionOptions | None = None,
    vertex_system_turns: bool | None = None,
    api_key: str | None = None,
    ephemeral_token: str | TokenProvider | None = None,
    vertex_project: str | None = None,
    vertex_location: str | None = None,
    vertex_token: str | TokenProvider | None = None,
) -> Connecting:
    """Open a Live session: ``await connect(...)`` or ``async with connect(...) as session``.

    ``credentials`` is an :class:`~gemini_live.ApiKey` (the default, ``ApiKey()``, reads
    ``$GEMINI_API_KEY`` then ``$GOOGLE_API_KEY``), an :class:`~gemini_live.EphemeralToken`
    (Google AI's constrained method; a token or an async provider called per connection
    attempt) or :class:`~gemini_live.Vertex` (project, location, token or provider, or
    Application Default Credentials). ``base_url`` (``ws://``/``wss://``) replaces the service
    host, e.g. for the local emulator or a proxy; ``platform`` then says which protocol flavour
    to speak (default: Vertex for ``Vertex`` credentials, else Google AI). Without
    ``base_url``, a non-empty ``GEMINI_LIVE_BASE_URL`` environment variable is used the same
    way, so that an unchanged program can be pointed at the emulator. ``timeouts`` groups the
    waits (connect, setup, close, flush, keepalive); ``options`` the other limits.

    The keyword arguments ``api_key``, ``ephemeral_token``, ``vertex_project``,
    ``vertex_location`` and ``vertex_token`` are the older spelling of ``credentials`` and
    still work for one release, with a ``DeprecationWarning``.

    Session resumption is turned on unless ``config.session_resumption`` says otherwise.
    Raises ``ConfigError`` before connecting for an invalid config or credentials, then
    ``ConnectError``, ``AuthenticationError``, ``SetupRejected`` or ``SetupTimeout``.
    """
    if not isinstance(model, str) or not model.strip():
        raise ConfigError("connect(): model must be a non-empty string, e.g. 'gemini-3.8-live'")
    legacy = {
        "api_key": api_key,
        "ephemeral_token": ephemeral_token,
        "vertex_project": vertex_project,
        "vertex_location": vertex_location,
        "vertex_token": vertex_token,
    }
    given = [name for name, value in legacy.items() if value is not None]
    requested = None if platform is None else platform_of(platform, stacklevel=3)
    if given:
        if credentials is not None:
            raise ConfigError(f"connect(): pass credentials= or {', '.join(given)}=, not both")
        warnings.warn(
            f"connect({'=, '.join(given)}=) is deprecated: pass credentials=ApiKey(...), "
            "EphemeralToken(...) or Vertex(...)",
            DeprecationWarning,
            stacklevel=2,
        )
        credentials = _from_legacy(
            requested,
            api_key=api_key,
            ephemeral_token=ephemeral_token,
            vertex_project=vertex_project,
            vertex_location=vertex_location,
            vertex_token=vertex_token,
        )
    if credentials is None:
        credentials = ApiKey()
    if not isinstance(credentials, ApiKey | EphemeralToken | Vertex):
        raise ConfigError(
            "connect(): credentials must be ApiKey(...), EphemeralToken(...) or Vertex(...), "
            f"not {type(credentials).__name__}"
        )
    is_vertex = isinstance(credentials, Vertex)
    resolved_platform = requested or (Platform.VERTEX if is_vertex else Platform.GOOGLE_AI)
    if (resolved_platform is Platform.VERTEX) != is_vertex:
        raise ConfigError(
            "Vertex AI needs credentials=Vertex(project, location, ...)"
            if not is_vertex
            else "Vertex(...) credentials need platform='vertex'"
        )
    if base_url is None:
        base_url = os.environ.get("GEMINI_LIVE_BASE_URL", "").strip() or None
    cfg = config if config is not None else _default_config()
    if not isinstance(cfg, LiveConfig):
        raise TypeError(f"connect(): config must be a LiveConfig, got {type(cfg).__name__}")
    if cfg.session_resumption is None:
        cfg = dataclasses.replace(cfg, session_resumption=SessionResumptionConfig())
    validate_config(cfg, resolved_platform)
    opts = options if options is not None else SessionOptions()
    if timeouts is not None:
        if not isinstance(timeouts, Timeouts):
            raise TypeError(
                f"connect(): timeouts must be a Timeouts, got {type(timeouts).__name__}"
            )
        opts = timeouts.apply(opts)
    # Vertex documents the role-"system" turn; Google AI rejects it (1007) and has contextUpdate.
    system_turns = vertex_system_turns if vertex_system_turns is not None else is_vertex
    provider, resource = _endpoint_provider(
        model, credentials, base_url=base_url, api_version=api_version
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
            replay_max_messages=opts.replay_max_messages,
            replay_max_bytes=opts.replay_max_bytes,
            max_tracked_calls=opts.max_tracked_calls,
            session_limit_warning=opts.session_limit_warning,
            audio_session_limit=opts.audio_session_limit,
            video_session_limit=opts.video_session_limit,
        )
        driver = SessionDriver(protocol, provider, opts)
        await open_session(driver)
        return Session(driver, config=cfg, vertex_system_turns=system_turns)

    return Connecting(factory)


@functools.cache
def _default_config() -> LiveConfig:
    # Frozen, so every session without a config of its own shares one (a LiveConfig is about
    # 0.5 KB: 50 KB at 100 sessions).
    return LiveConfig(session_resumption=SessionResumptionConfig())


def _from_legacy(
    platform: Platform | None,
    *,
    api_key: str | None,
    ephemeral_token: str | TokenProvider | None,
    vertex_project: str | None,
    vertex_location: str | None,
    vertex_token: str | TokenProvider | None,
) -> Credentials:
    """The credentials object the deprecated keyword arguments stand for (same precedence)."""
    if vertex_project is not None or platform is Platform.VERTEX:
        if not vertex_project or not vertex_location:
            raise ConfigError("Vertex AI needs vertex_project= and vertex_location=")
        return Vertex(vertex_project, vertex_location, vertex_token)
    if ephemeral_token is not None:
        return EphemeralToken(ephemeral_token)
    return ApiKey(api_key)


async def _call_token_provider(provider: TokenProvider, what: str) -> str:
    """Ask the application's token provider, as a connection step.

    Its failure is a failure to connect (``ConnectError``, retried during a reconnect like any
    network error, bounded by the retry policy), not a bug of the session: a token refresh often
    fails for the same network reason that made the session reconnect. Our own errors (e.g.
    ``AuthenticationError``) pass through. The provider's message is not repeated (it might
    quote a credential); the exception is kept as ``__cause__``.
    """
    try:
        token = await provider()
    except LiveError:
        raise
    except Exception as exc:
        raise ConnectError(f"{what} provider failed ({type(exc).__name__})") from exc
    if not isinstance(token, str) or not token.strip():
        raise ConnectError(f"{what} provider returned no token (expected a non-empty str)")
    return token


def _endpoint_provider(
    model: str, credentials: Credentials, *, base_url: str | None, api_version: str | None
) -> tuple[Callable[[], Awaitable[Endpoint]], str]:
    """Validate credentials now (fail before connecting); return a per-attempt endpoint maker.

    The maker runs for every connection attempt so that token providers are asked each time.
    """
    version: dict[str, str] = {"api_version": api_version} if api_version else {}
    if isinstance(credentials, Vertex):
        project, location, vertex_token = (
            credentials.project,
            credentials.location,
            credentials.token,
        )
        google_credentials = credentials.credentials
        template = endpoints.vertex_endpoint(
            model, project=project, location=location, access_token="-", **version
        )

        async def vertex() -> Endpoint:
            if callable(vertex_token):
                token = await _call_token_provider(vertex_token, "vertex_token")
            elif isinstance(vertex_token, str):
                token = vertex_token
            else:
                token = await endpoints.vertex_access_token(google_credentials)
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

    if isinstance(credentials, EphemeralToken):
        ephemeral = credentials.token

        def ephemeral_endpoint(token: str) -> Endpoint:
            if base_url is not None:
                return endpoints.custom_endpoint(
                    base_url, model, platform="google_ai", token=token, **version
                )
            return endpoints.ephemeral_token_endpoint(model, token, **version)

        if callable(ephemeral):
            provider = ephemeral
            template = ephemeral_endpoint("-")  # validates the URL and model now

            async def minted() -> Endpoint:
                return ephemeral_endpoint(await _call_token_provider(provider, "ephemeral_token"))

            return minted, template.model
        endpoint = ephemeral_endpoint(ephemeral)
    else:
        key = endpoints.resolve_api_key(credentials.key)
        if base_url is not None:
            endpoint = endpoints.custom_endpoint(
                base_url, model, platform="google_ai", api_key=key, **version
            )
        else:
            endpoint = endpoints.google_ai_endpoint(model, key, **version)

    async def fixed() -> Endpoint:
        return endpoint

    return fixed, endpoint.model
