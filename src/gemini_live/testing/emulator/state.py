"""Emulated sessions: conversation state (snapshot-able for resumption) and the consumed record."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .schema import ToolSet
from .setup_config import Platform, PlatformValue

__all__ = ["ConsumedMessage", "ConversationState", "EmulatedSession", "Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One entry of the conversation.

    ``role`` is ``"user"``, ``"model"``, ``"function_call"`` (text ``NAME {args}``) or
    ``"function_response"`` (text ``NAME {response}``). ``interrupted`` marks a model turn cut off
    by the user (its text is what had been sent when it stopped).
    """

    role: str
    text: str
    interrupted: bool = False
    audio_seconds: float = 0.0

    def __str__(self) -> str:
        return f"{self.role}: {self.text}"


@dataclass(slots=True)
class ConversationState:
    """What a resumption handle captures: history, instruction, tools, counters, and the
    ``lineage``: the consumed messages whose effects make up this state."""

    turns: list[Turn] = field(default_factory=list)
    system_instruction: str = ""
    tools: ToolSet = field(default_factory=ToolSet)
    video_frames: int = 0
    seeding: bool = False
    lineage: list[ConsumedMessage] = field(default_factory=list)

    def snapshot(self) -> ConversationState:
        """An independent copy (turns and tools are immutable, so the lists are enough)."""
        return ConversationState(
            turns=list(self.turns),
            system_instruction=self.system_instruction,
            tools=self.tools,
            video_frames=self.video_frames,
            seeding=self.seeding,
            lineage=list(self.lineage),
        )

    def user_texts(self) -> list[str]:
        """Texts of the user turns, oldest first."""
        return [t.text for t in self.turns if t.role == "user"]

    def pending_user_text(self) -> str:
        """User text added since the last model turn (what a ``turnComplete`` answers)."""
        pending: list[str] = []
        for turn in reversed(self.turns):
            if turn.role != "user":
                break
            pending.append(turn.text)
        return " ".join(reversed(pending))


@dataclass(frozen=True, slots=True)
class ConsumedMessage:
    """A client message the emulator accepted.

    ``connection`` is the 1-based number of the connection within the session, ``index`` the
    message's index on that connection (``setup`` is 0), ``kind`` the top-level field
    (``"setup"``, ``"clientContent"``, ``"realtimeInput"``, ``"toolResponse"``,
    ``"contextUpdate"``), ``field`` the realtimeInput field (``"audio"``, ``"text"``, ...) and
    ``payload`` the normalised body (camelCase; blob data decoded to bytes).
    """

    connection: int
    index: int
    kind: str
    field: str | None
    payload: Mapping[str, Any]


class EmulatedSession:
    """One emulated Live session, across all the connections that resumed it.

    For test assertions: ``consumed`` (every accepted client message, in order, across
    resumptions), ``effective_consumed`` (only those whose effects survive in the current state),
    ``conversation`` (the current state's turns), ``connections`` (how many
    connections served it), ``handles`` (every resumable handle issued, oldest first),
    ``resumed_from`` (handles used to resume it, in order), ``platform`` (``"google_ai"`` or
    ``"vertex"``: equal to the client's ``session.platform``).
    """

    def __init__(self, session_id: str, model: str, platform: Platform, started_at: float) -> None:
        self.id = session_id
        self.model = model
        # The client's spelling (equal to its ``session.platform``); see PlatformValue.
        self.platform = PlatformValue(platform)
        self.state = ConversationState()
        self.consumed: list[ConsumedMessage] = []
        self.connections = 0
        self.handles: list[str] = []
        self.resumed_from: list[str] = []
        self.open_socket: Any = None
        self.ended_at: float | None = None
        self._disconnected = asyncio.Event()
        self._disconnected.set()
        self.started_at = started_at
        self.used_video = False
        self.next_call = 1

    @property
    def conversation(self) -> tuple[Turn, ...]:
        """The conversation as the model currently sees it."""
        return tuple(self.state.turns)

    @property
    def effective_consumed(self) -> tuple[ConsumedMessage, ...]:
        """The consumed messages in the lineage of the current state, in order.

        Unlike ``consumed``, messages a connection consumed after the handle that a later
        connection resumed from are left out (the resume discarded their effects); the replays
        of those messages on the new connection are included.
        """
        return tuple(self.state.lineage)

    @property
    def transcript(self) -> tuple[str, ...]:
        """The conversation as ``"role: text"`` lines."""
        return tuple(str(t) for t in self.state.turns)

    @property
    def system_instruction(self) -> str:
        """The instruction in force."""
        return self.state.system_instruction

    def attach(self, socket: Any) -> None:
        """A connection now serves this session."""
        self.connections += 1
        self.open_socket = socket
        self.ended_at = None
        self._disconnected.clear()

    def detach(self, socket: Any, ended_at: float) -> None:
        """The connection ``socket`` ended (ignored if another one took over)."""
        if self.open_socket is socket:
            self.open_socket = None
            self.ended_at = ended_at
            self._disconnected.set()

    async def wait_disconnected(self) -> None:
        """Wait until no connection serves this session (bound it with ``asyncio.timeout``).

        Safe to cancel and to call concurrently.
        """
        await self._disconnected.wait()

    def consume(self, message: ConsumedMessage) -> None:
        """Record an accepted client message (in the full record and in the state's lineage)."""
        self.consumed.append(message)
        self.state.lineage.append(message)

    def new_call_id(self) -> str:
        """A fresh function-call id (``fc-1``, ``fc-2``, ... per session)."""
        call_id = f"fc-{self.next_call}"
        self.next_call += 1
        return call_id

    def __repr__(self) -> str:
        return (
            f"EmulatedSession(id={self.id!r}, model={self.model!r}, turns={len(self.state.turns)}, "
            f"connections={self.connections})"
        )
