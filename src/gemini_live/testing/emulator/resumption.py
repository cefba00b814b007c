"""Session-resumption handles: each one snapshots a session's conversation state.

Handles are opaque strings (``"emh-<n>-<session id>"``). Any handle the emulator issued with
``resumable: true`` stays usable, each restoring the state as of when it was issued (so resuming
from an older handle loses what followed, as on the service). A handle expires ``ttl`` seconds of
the injected clock after its session's last connection ended (the Gemini API documents 2 h);
while a connection of the session is open, its handles do not expire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .state import ConversationState, EmulatedSession

__all__ = ["HandleError", "HandleRecord", "HandleStore"]


class HandleError(LookupError):
    """The handle is unknown (``expired`` False) or has expired (``expired`` True)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired handle" if expired else "unknown handle")
        self.expired = expired


@dataclass(frozen=True, slots=True)
class HandleRecord:
    """What a handle restores."""

    handle: str
    session: EmulatedSession
    snapshot: ConversationState
    issued_at: float
    last_consumed_index: int


class HandleStore:
    """Issues and resolves handles. Not thread-safe (one event loop)."""

    def __init__(self, clock: Callable[[], float], ttl: float) -> None:
        self._clock = clock
        self._ttl = ttl
        self._records: dict[str, HandleRecord] = {}
        self._counter = 0

    def issue(
        self, session: EmulatedSession, state: ConversationState, last_consumed_index: int
    ) -> str:
        """Snapshot ``state`` under a new handle and return the handle."""
        self._counter += 1
        handle = f"emh-{self._counter}-{session.id}"
        self._records[handle] = HandleRecord(
            handle, session, state.snapshot(), self._clock(), last_consumed_index
        )
        session.handles.append(handle)
        return handle

    def resolve(self, handle: str) -> HandleRecord:
        """The record of ``handle``; raises :class:`HandleError` if unknown or expired."""
        record = self._records.get(handle)
        if record is None:
            raise HandleError(expired=False)
        ended = record.session.ended_at
        if ended is not None and self._clock() - ended > self._ttl:
            raise HandleError(expired=True)
        return record

    def __len__(self) -> int:
        return len(self._records)
