"""Where to connect and how to authenticate, per platform.

Each function returns an :class:`Endpoint` (URL, handshake headers, the model resource name for
``setup.model``) without opening anything; bad input raises
:class:`~gemini_live.errors.ConfigError` right away. Only :func:`vertex_access_token` does I/O
(Application Default Credentials, through the optional ``google-auth`` dependency).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gemini_live.client.transport import redact_url
from gemini_live.errors import AuthenticationError, ConfigError, ConnectError
from gemini_live.protocol._shared_methods import share_methods
from gemini_live.protocol.config import Platform, PlatformName, platform_of

__all__ = [
    "CLOUD_PLATFORM_SCOPE",
    "GOOGLE_AI_HOST",
    "Endpoint",
    "custom_endpoint",
    "ephemeral_token_endpoint",
    "google_ai_endpoint",
    "google_ai_model_name",
    "resolve_api_key",
    "scoped_credentials",
    "vertex_access_token",
    "vertex_endpoint",
    "vertex_host",
    "vertex_model_name",
]

GOOGLE_AI_HOST = "generativelanguage.googleapis.com"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"

PlatformLike = Platform | PlatformName

_API_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d*)?")
_LOCATION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SECRET_HEADERS = frozenset({"authorization", "x-goog-api-key", "proxy-authorization", "cookie"})
_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A resolved connection target. ``repr`` hides credentials (header values, query string)."""

    url: str
    headers: Mapping[str, str]
    model: str
    """Resource name for ``setup.model``, e.g. ``models/gemini-3.8-live``."""
    platform: Platform

    def __repr__(self) -> str:
        shown = {
            name: "<redacted>" if name.lower() in _SECRET_HEADERS else value
            for name, value in self.headers.items()
        }
        return (
            f"Endpoint(platform={self.platform.value!r}, url={redact_url(self.url)!r}, "
            f"model={self.model!r}, headers={shown!r})"
        )

    __str__ = __repr__

    def __hash__(self) -> int:
        # Explicit because the generated hash would fail on the (read-only, unhashable) mapping.
        return hash((self.url, tuple(self.headers.items()), self.model, self.platform))


def google_ai_endpoint(
    model: str, api_key: str, *, api_version: str = "v1beta", host: str = GOOGLE_AI_HOST
) -> Endpoint:
    """Gemini Developer API, authenticated with an API key in the ``x-goog-api-key`` header."""
    _require(api_key, "api_key")
    _require(host, "host")
    url = f"wss://{host}{_google_ai_path(_version(api_version), constrained=False)}"
    return _endpoint(url, {"x-goog-api-key": api_key}, google_ai_model_name(model), "google_ai")


def ephemeral_token_endpoint(
    model: str, token: str, *, api_version: str = "v1alpha", host: str = GOOGLE_AI_HOST
) -> Endpoint:
    """Gemini Developer API with an ephemeral token (``auth_tokens/...``), which only works on
    the ``BidiGenerateContentConstrained`` method."""
    _require(token, "token")
    _require(host, "host")
    url = f"wss://{host}{_google_ai_path(_version(api_version), constrained=True)}"
    return _endpoint(url, _token_header(token), google_ai_model_name(model), "google_ai")


def vertex_endpoint(
    model: str, *, project: str, location: str, access_token: str, api_version: str = "v1"
) -> Endpoint:
    """Vertex AI, authenticated with an OAuth access token (see :func:`vertex_access_token`)."""
    _require(access_token, "access_token")
    url = f"wss://{vertex_host(location)}{_vertex_path(_version(api_version))}"
    headers = {"Authorization": f"Bearer {access_token}"}
    return _endpoint(url, headers, vertex_model_name(model, project, location), "vertex")


def custom_endpoint(
    base_url: str,
    model: str,
    *,
    platform: PlatformLike,
    api_key: str | None = None,
    token: str | None = None,
    api_version: str | None = None,
    project: str | None = None,
    location: str | None = None,
) -> Endpoint:
    """The platform's path and headers on another server (a proxy, a regional host, the local
    emulator). ``base_url`` may be ws://, wss://, http:// (-> ws) or https:// (-> wss) and may
    carry a path prefix.

    Credentials: ``api_key`` goes in ``x-goog-api-key`` on either platform (Vertex express
    mode). ``token`` is an ephemeral token on Google AI (``Authorization: Token``, constrained
    method) and an OAuth access token on Vertex (``Authorization: Bearer``). Neither: no auth.
    On Vertex, ``project`` and ``location`` give the full model path; without them the model is
    ``publishers/google/models/{id}`` (express mode).
    """
    kind = platform_of(platform)
    if api_key is not None and token is not None:
        raise ConfigError("pass api_key= or token=, not both")
    if api_key is not None:
        _require(api_key, "api_key")
    if token is not None:
        _require(token, "token")
    headers: dict[str, str] = {}
    if kind is Platform.VERTEX:
        path = _vertex_path(_version(api_version or "v1"))
        if (project is None) != (location is None):
            raise ConfigError(
                "custom Vertex endpoint: pass both project= and location=, or neither"
            )
        model_name = vertex_model_name(model, project, location)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
    else:
        default_version = "v1alpha" if token is not None else "v1beta"
        path = _google_ai_path(_version(api_version or default_version), token is not None)
        model_name = google_ai_model_name(model)
        if token is not None:
            headers.update(_token_header(token))
    if api_key is not None:
        headers["x-goog-api-key"] = api_key
    return _endpoint(_join(base_url, path), headers, model_name, kind)


def google_ai_model_name(model: str) -> str:
    """``models/{id}`` for a bare id; ``models/...`` and ``tunedModels/...`` are kept."""
    _check_model(model)
    if model.startswith(("models/", "tunedModels/")):
        return model
    if "/" in model:
        raise ConfigError(f"model {model!r}: expected an id, models/{{id}} or tunedModels/{{id}}")
    return f"models/{model}"


def vertex_model_name(model: str, project: str | None, location: str | None) -> str:
    """``projects/{p}/locations/{l}/publishers/google/models/{id}``; a full path is kept.

    Without project and location (express mode) the name is ``publishers/google/models/{id}``.
    """
    _check_model(model)
    if model.startswith("projects/"):
        return model
    if model.startswith("models/"):
        model = model.removeprefix("models/")
    if not model.startswith("publishers/"):
        if "/" in model:
            raise ConfigError(f"model {model!r}: expected an id or a projects/... resource name")
        model = f"publishers/google/models/{model}"
    if project is None and location is None:
        return model
    _require(project, "project")
    _check_location(location)
    return f"projects/{project}/locations/{location}/{model}"


def vertex_host(location: str) -> str:
    """The API host for a Vertex location (``global`` and the ``us``/``eu`` multi-regions are
    special)."""
    _check_location(location)
    if location == "global":
        return "aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


def resolve_api_key(explicit: str | None) -> str:
    """``explicit``, else ``$GEMINI_API_KEY``, else ``$GOOGLE_API_KEY``."""
    if explicit is not None:
        _require(explicit, "api_key")
        return explicit
    for variable in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    raise AuthenticationError("no API key: pass api_key= or set GEMINI_API_KEY")


async def vertex_access_token(credentials: Any = None) -> str:
    """An OAuth access token for Vertex AI, through ``google-auth``.

    From ``credentials`` (a google-auth ``Credentials`` object, refreshed only when its token is
    missing or expired) or, when ``None``, from Application Default Credentials (looked up and
    refreshed every time). The blocking work runs in a worker thread. Raises
    :class:`~gemini_live.errors.AuthenticationError` with a hint when ``google-auth`` is not
    installed, no credentials are found or they are refused, and
    :class:`~gemini_live.errors.ConnectError` (retryable) when the token service is unreachable.
    Safe to cancel (the thread finishes on its own).
    """
    return await asyncio.to_thread(_fetch_token, credentials)


def scoped_credentials(credentials: Any) -> Any:
    """``credentials`` with the cloud-platform scope when they need scopes (service accounts)."""
    modules = _google_auth("credentials=", ("google.auth.credentials",))
    scoped = modules["google.auth.credentials"].with_scopes_if_required
    return scoped(credentials, [CLOUD_PLATFORM_SCOPE])


def _google_auth(what: str, names: tuple[str, ...] = ()) -> dict[str, Any]:
    # Imported lazily: google-auth is the optional extra gemini-live[vertex].
    names = ("google.auth", "google.auth.exceptions", "google.auth.transport.requests", *names)
    try:
        return {name: importlib.import_module(name) for name in names}
    except ImportError as exc:
        raise AuthenticationError(
            f"Vertex AI with {what} needs google-auth (with requests): "
            "pip install 'gemini-live[vertex]'"
        ) from exc


def _fetch_token(given: Any) -> str:
    what = "credentials=" if given is not None else "Application Default Credentials"
    modules = _google_auth(what)
    auth_exceptions = modules["google.auth.exceptions"]
    credentials = given
    if credentials is None:
        try:
            credentials, _project = modules["google.auth"].default(scopes=[CLOUD_PLATFORM_SCOPE])
        except auth_exceptions.DefaultCredentialsError as exc:
            raise AuthenticationError(
                "no Google Cloud credentials found: run `gcloud auth application-default login`, "
                "set GOOGLE_APPLICATION_CREDENTIALS, or pass a token"
            ) from exc
    # Only the exception type is reported: refresh errors can echo response bodies.
    try:
        if given is None or not credentials.valid:
            credentials.refresh(modules["google.auth.transport.requests"].Request())
    except auth_exceptions.TransportError as exc:
        # The token service was unreachable: as transient as the connection loss it may follow,
        # so it must stay retryable (ConnectError), not a fatal authentication failure.
        raise ConnectError(
            f"could not reach the token service to refresh credentials ({type(exc).__name__})"
        ) from None
    except auth_exceptions.GoogleAuthError as exc:
        raise AuthenticationError(
            f"could not refresh Google Cloud credentials ({type(exc).__name__})"
        ) from None
    token = credentials.token
    if not isinstance(token, str) or not token:
        raise AuthenticationError("the Google Cloud credentials returned no access token")
    return token


# -- helpers ---------------------------------------------------------------------------------


def _endpoint(url: str, headers: dict[str, str], model: str, platform: PlatformLike) -> Endpoint:
    return Endpoint(url, MappingProxyType(headers), model, platform_of(platform))


def _google_ai_path(api_version: str, constrained: bool) -> str:
    # The Gemini API joins service and method with a dot.
    method = "BidiGenerateContentConstrained" if constrained else "BidiGenerateContent"
    return f"/ws/google.ai.generativelanguage.{api_version}.GenerativeService.{method}"


def _vertex_path(api_version: str) -> str:
    # Vertex joins them with a slash.
    return f"/ws/google.cloud.aiplatform.{api_version}.LlmBidiService/BidiGenerateContent"


def _token_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def _join(base_url: str, path: str) -> str:
    """``base_url`` (scheme mapped to ws/wss, path prefix kept) + the platform path."""
    if "://" not in base_url:
        # "127.0.0.1:8765" or "localhost:8765": urlsplit would read the host as a scheme.
        # Never echo a query string or user info: either may carry a credential.
        shown = base_url.strip().partition("?")[0].partition("#")[0].rpartition("@")[2]
        raise ConfigError(
            f"base_url {shown!r} needs a ws:// or wss:// scheme, e.g. 'ws://{shown}' "
            "(wss:// for a server with TLS)"
        )
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or not host:
        raise ConfigError(f"base_url {redact_url(base_url)!r} is not a URL with a host")
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise ConfigError(
            f"base_url scheme must be ws, wss, http or https, not {parts.scheme or 'missing'!r}"
        )
    prefix = parts.path.rstrip("/")  # a trailing slash would produce the SDK's //ws/ path
    return urlunsplit((scheme, parts.netloc, prefix + path, parts.query, ""))


def _version(api_version: str) -> str:
    if not _API_VERSION.fullmatch(api_version):
        raise ConfigError(f"api_version must look like v1, v1beta or v1alpha, not {api_version!r}")
    return api_version


def _check_model(model: str) -> None:
    if not isinstance(model, str) or not model.strip() or model != model.strip():
        raise ConfigError(f"model must be a non-empty name without spaces, not {model!r}")
    if any(ch.isspace() for ch in model) or "?" in model or "#" in model:
        raise ConfigError(f"model {model!r} contains characters a resource name cannot have")


def _check_location(location: str | None) -> None:
    if not location or not _LOCATION.fullmatch(location):
        raise ConfigError(
            f"Vertex location must be a region such as us-central1, global, us or eu, "
            f"not {location!r}"
        )


def _require(value: str | None, name: str) -> None:
    # Never echo the value: it may be a credential.
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name} must be a non-empty string")
    if any(ch in value for ch in "\r\n"):
        raise ConfigError(f"{name} must not contain line breaks")


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
