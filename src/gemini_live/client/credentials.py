"""Credentials as small value objects: which service to talk to and how to authenticate.

::

    gemini_live.connect(model, credentials=ApiKey())                    # $GEMINI_API_KEY
    gemini_live.connect(model, credentials=ApiKey("AIza..."))
    gemini_live.connect(model, credentials=EphemeralToken(mint_token))  # a fresh token per attempt
    gemini_live.connect(model, credentials=Vertex("my-project", "us-central1"))  # ADC
    gemini_live.connect(model, credentials=Vertex("p", "us-central1", credentials=sa_creds))

A token may be a string or an async callable returning one (a *provider*); a provider is called
for every connection attempt (reconnects included), so that single-use ephemeral tokens and
expiring OAuth tokens keep working across a resume. No credential ever appears in a ``repr``,
an error message or a log line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gemini_live.errors import ConfigError
from gemini_live.protocol._shared_methods import share_methods

__all__ = [
    "ApiKey",
    "Credentials",
    "EphemeralToken",
    "GoogleCredentials",
    "TokenProvider",
    "Vertex",
]

TokenProvider = Callable[[], Awaitable[str]]
"""An async callable returning a fresh token; called once per connection attempt."""


def _check_token(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if callable(value):
        return
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name} must be a non-empty string or an async callable returning one")
    if any(ch in value for ch in "\r\n"):
        raise ConfigError(f"{name} must not contain line breaks")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A Gemini Developer API key (Google AI), sent in the ``x-goog-api-key`` header.

    ``key=None`` reads ``$GEMINI_API_KEY``, else ``$GOOGLE_API_KEY``, when connecting.
    """

    key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_token(self.key, "ApiKey.key", optional=True)
        if callable(self.key):
            raise ConfigError("ApiKey.key must be a string (or None to read $GEMINI_API_KEY)")

    def __repr__(self) -> str:
        return "ApiKey(<from environment>)" if self.key is None else "ApiKey(<redacted>)"


@dataclass(frozen=True, slots=True)
class EphemeralToken:
    """A Google AI ephemeral token (``auth_tokens/...``), or an async provider of fresh ones.

    Ephemeral tokens only work on the constrained method, which this selects. Tokens are often
    single-use: pass a provider so that every connection attempt (a resume included) gets a new
    one.
    """

    token: str | TokenProvider = field(repr=False)

    def __post_init__(self) -> None:
        _check_token(self.token, "EphemeralToken.token")

    def __repr__(self) -> str:
        kind = "provider" if callable(self.token) else "token"
        return f"EphemeralToken(<{kind} redacted>)"


class GoogleCredentials(Protocol):
    """What ``Vertex(credentials=...)`` uses of a ``google.auth.credentials.Credentials`` object
    (service-account, user or impersonated credentials, ...)."""

    token: str | None

    @property
    def valid(self) -> bool:
        """Whether ``token`` is set and not expired."""
        ...

    def refresh(self, request: Any) -> None:
        """Fetch a new token (blocking: gemini-live calls it in a worker thread)."""
        ...


@dataclass(frozen=True, slots=True)
class Vertex:
    """Vertex AI in ``project`` and ``location``, with an OAuth access token.

    ``token`` is a bearer token or an async provider of one (called per connection attempt);
    or ``credentials`` is a google-auth ``Credentials`` object (scoped to cloud-platform here if
    it needs scopes, refreshed in a worker thread whenever its token is missing or expired); with
    neither, Application Default Credentials are used. ``credentials`` and ADC need the
    ``[vertex]`` extra.
    """

    project: str
    location: str
    token: str | TokenProvider | None = field(default=None, repr=False)
    credentials: GoogleCredentials | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("project", "location"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"Vertex.{name} must be a non-empty string, got {value!r}")
        _check_token(self.token, "Vertex.token", optional=True)
        if self.credentials is not None:
            if self.token is not None:
                raise ConfigError("Vertex(): pass token= or credentials=, not both")
            if not callable(getattr(self.credentials, "refresh", None)):
                raise ConfigError(
                    "Vertex.credentials must be a google-auth Credentials object (with "
                    f"refresh()), got {type(self.credentials).__name__}"
                )
            from gemini_live.client.endpoints import scoped_credentials

            # Scoped once, here: every session using this value then shares one token until
            # it expires (a copy scoped per connection would have to fetch its own).
            object.__setattr__(self, "credentials", scoped_credentials(self.credentials))

    def __repr__(self) -> str:
        if self.credentials is not None:
            auth = f"<{type(self.credentials).__name__}>"
        else:
            auth = "ADC" if self.token is None else "<redacted>"
        return f"Vertex(project={self.project!r}, location={self.location!r}, token={auth})"


Credentials = ApiKey | EphemeralToken | Vertex
"""Any of the credential objects ``connect(credentials=...)`` takes."""


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
