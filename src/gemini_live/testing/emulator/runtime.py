"""Shared emulator state handed to every connection: options, sessions, handles, faults, stats."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from websockets.datastructures import Headers

from .faults import FaultPlan
from .options import EmulatorOptions
from .recorder import Recorder
from .resumption import HandleStore
from .setup_config import Platform
from .state import EmulatedSession

__all__ = ["EmulatorStats", "Route", "Runtime", "extract_credential", "match_route"]

_GOOGLE_AI = re.compile(
    r"^(?P<prefix>.*?)/ws/google\.ai\.generativelanguage\.(?P<version>v1|v1beta|v1alpha)"
    r"\.GenerativeService\.(?P<method>BidiGenerateContent|BidiGenerateContentConstrained)$"
)
_VERTEX = re.compile(
    r"^(?P<prefix>.*?)/ws/google\.cloud\.aiplatform\.(?P<version>v1|v1beta1)"
    r"\.LlmBidiService/(?P<method>BidiGenerateContent)$"
)


@dataclass(frozen=True, slots=True)
class Route:
    """A served path: platform, API version, method and the optional prefix before ``/ws/``."""

    platform: Platform
    version: str
    method: str
    prefix: str
    path: str

    @property
    def constrained(self) -> bool:
        """The ephemeral-token method (``BidiGenerateContentConstrained``)."""
        return self.method.endswith("Constrained")


def match_route(raw_path: str) -> Route | None:
    """Parse a request path (query string ignored; repeated slashes collapsed)."""
    # Not urlsplit: a path starting with "//" would be parsed as a network location.
    path = re.sub(r"/{2,}", "/", raw_path.partition("?")[0].partition("#")[0])
    for pattern, platform in ((_GOOGLE_AI, "google_ai"), (_VERTEX, "vertex")):
        match = pattern.match(path)
        if match:
            return Route(
                platform=platform,  # type: ignore[arg-type]
                version=match.group("version"),
                method=match.group("method"),
                prefix=match.group("prefix").strip("/"),
                path=path,
            )
    return None


def extract_credential(raw_path: str, headers: Headers) -> str | None:
    """The credential of a handshake, from any of the forms the service accepts."""
    key = headers.get("x-goog-api-key")
    if key:
        return key.strip() or None
    auth = headers.get("authorization", "")
    scheme, _, value = auth.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    query = parse_qs(raw_path.partition("?")[2].partition("#")[0])
    for name in ("key", "access_token"):
        values = query.get(name)
        if values and values[0].strip():
            return values[0].strip()
    return None


@dataclass(slots=True)
class EmulatorStats:
    """Counters for assertions. ``closes`` maps close codes the emulator sent to counts;
    ``http_rejections`` maps HTTP statuses of refused upgrades to counts. Injected faults are
    listed in ``Emulator.faults.injected``."""

    connections: int = 0
    setups_completed: int = 0
    resumptions: int = 0
    frames_in: int = 0
    frames_out: int = 0
    turns: int = 0
    interruptions: int = 0
    tool_calls: int = 0
    closes: Counter[int] = field(default_factory=Counter)
    http_rejections: Counter[int] = field(default_factory=Counter)


class Runtime:
    """What connections share. Single event loop; not thread-safe."""

    def __init__(self, options: EmulatorOptions, faults: FaultPlan, stats: EmulatorStats) -> None:
        self.options = options
        self.faults = faults
        self.stats = stats
        self.handles = HandleStore(options.clock, options.handle_ttl)
        self.sessions: list[EmulatedSession] = []
        self.recorder: Recorder | None = None
        self._connections = 0

    def next_connection_id(self) -> int:
        """Emulator-wide connection number (1, 2, ...)."""
        self._connections += 1
        return self._connections

    def new_session(self, model: str, platform: Platform) -> EmulatedSession:
        """Create and register a session."""
        session = EmulatedSession(
            f"session-{len(self.sessions) + 1}",
            model,
            platform,
            asyncio.get_running_loop().time(),
        )
        self.sessions.append(session)
        return session
