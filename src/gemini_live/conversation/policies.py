"""Value objects configuring the stall watchdog and the lost-context check."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from gemini_live.conversation.records import ContextLost

__all__ = ["ContextPolicy", "StallAction", "StallPolicy", "SummaryProvider"]

StallAction = Literal["notify", "nudge", "reconnect"]
SummaryProvider = Callable[[ContextLost], str | Awaitable[str | None] | None]


@dataclass(frozen=True, slots=True)
class StallPolicy:
    """When the model is considered stalled, and what to do about it.

    * ``timeout``: seconds without any model output after the user's input ended, after a tool
      response, or after a resume in the middle of a turn.
    * ``action``: ``"notify"`` only emits :class:`~.records.Stalled` (once per wait);
      ``"nudge"`` also sends ``nudge_text`` as user text (``realtimeInput.text``, which every
      current model accepts mid-session) to prompt the model; ``"reconnect"`` also resumes the
      session on a new connection (needs a session, or a ``reconnect=`` hook, with an async
      ``reconnect()``; see :class:`~.monitor.SupportsReconnect`).
    * ``max_attempts``: nudges/reconnects for one wait; then one last ``Stalled`` with action
      ``"none"`` and the watchdog waits for the next output.
    """

    timeout: float = 8.0
    action: StallAction = "notify"
    max_attempts: int = 2
    nudge_text: str = "Please continue."

    def __post_init__(self) -> None:
        if not (isinstance(self.timeout, int | float) and math.isfinite(self.timeout)):
            raise TypeError(f"StallPolicy.timeout must be a finite number, got {self.timeout!r}")
        if self.timeout <= 0:
            raise ValueError(f"StallPolicy.timeout must be > 0, got {self.timeout!r}")
        if self.action not in ("notify", "nudge", "reconnect"):
            raise ValueError(
                f'StallPolicy.action must be "notify", "nudge" or "reconnect", got {self.action!r}'
            )
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(f"StallPolicy.max_attempts must be >= 1, got {self.max_attempts!r}")
        if not isinstance(self.nudge_text, str) or not self.nudge_text.strip():
            raise ValueError("StallPolicy.nudge_text must be a non-empty string")


@dataclass(frozen=True, slots=True)
class ContextPolicy:
    """When a resume counts as having lost the conversation, and how to restore it.

    The prompt token count of the first usage report after a resume is compared with the last
    one before it: below ``collapse_ratio`` times the earlier count (which must be at least
    ``min_prompt_tokens``, so a short conversation does not trigger it) the context is deemed
    lost. A refused handle (a fresh session) always is. ``summary``, if given, is called with the
    :class:`~.records.ContextLost` notice and may return text (or an awaitable of it) that is
    sent as a ``clientContent`` user turn with ``turnComplete: false`` (added to the context
    without asking for a reply); ``None`` sends nothing.
    """

    min_prompt_tokens: int = 32
    collapse_ratio: float = 0.5
    summary: SummaryProvider | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.min_prompt_tokens, int) or self.min_prompt_tokens < 0:
            raise ValueError("ContextPolicy.min_prompt_tokens must be an int >= 0")
        if not (0.0 < self.collapse_ratio <= 1.0):
            raise ValueError(
                f"ContextPolicy.collapse_ratio must be in (0, 1], got {self.collapse_ratio!r}"
            )
        if self.summary is not None and not callable(self.summary):
            raise TypeError("ContextPolicy.summary must be a callable or None")
