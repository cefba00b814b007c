"""The tool-call bookkeeping of one session across reconnects (pure, bounded).

:class:`~gemini_live.protocol.live.LiveProtocol` owns one :class:`ToolCalls` and feeds it what
the service issues or cancels and what the application answers. Rules:

* A call is *pending* from its ``toolCall`` until it is answered or cancelled. An answer to a
  cancelled call is dropped (and announced) instead of sent.
* A reconnect may lose calls: after a fresh start every call of the lost session, after a
  resume the calls issued after the handle's checkpoint (the restored session never issued
  them; the replayed input may make it issue them again, possibly under the same id).
  :meth:`ToolCalls.settle` takes that set at the new connection's ``setupComplete``, before
  anything the new connection sent is counted: a call that comes with ``setupComplete`` (or
  before the replay is written) is the new session's and is live, even under a reused id.
* Answers to lost calls never reach the new session (the service closes with 1007 on an answer
  to a call it does not know, and a fresh session reuses ids like ``fc-1``):
  :meth:`ToolCalls.answers_lost` tells the driver which queued or unconfirmed answers to drop,
  :meth:`ToolCalls.answer_survives` whether an answer that waited for queue room across the
  reconnect may still be queued.
* Every set is bounded (``max_tracked``, oldest forgotten first), so a peer that never stops
  issuing calls cannot grow the session without bound.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from gemini_live.protocol._idset import BoundedIds

__all__ = ["ToolCalls"]


class ToolCalls:
    """Pending, cancelled and lost tool-call ids of one session; see the module docstring."""

    def __init__(self, max_tracked: int) -> None:
        if max_tracked < 1:
            raise ValueError(f"max_tracked_calls must be >= 1, got {max_tracked}")
        self._pending = BoundedIds(max_tracked)
        # Ids the service cancelled (toolCallCancellation) or that died with a fresh session:
        # late responses to them are dropped (and announced), never sent.
        self._cancelled = BoundedIds(max_tracked)
        # Every id the current service-side session issued (reset on a fresh start).
        self._issued = BoundedIds(max_tracked)
        # Ids issued after the newest resumable handle's checkpoint: a session resumed from
        # that handle never issued them.
        self._since_checkpoint = BoundedIds(max_tracked)
        # From settle() until the reconnect is over: the calls the new session never issued.
        self._lost: frozenset[str] = frozenset()
        self._rollbacks = 0
        self._last_rolled_back: frozenset[str] = frozenset()

    @property
    def pending(self) -> frozenset[str]:
        """Ids issued and not yet answered or cancelled."""
        return frozenset(self._pending)

    @property
    def rollbacks(self) -> int:
        """How many reconnects so far lost calls (see :meth:`answer_survives`)."""
        return self._rollbacks

    # ------------------------------------------------------------------ one connection

    def issued(self, ids: list[str]) -> None:
        """The service issued these calls (``toolCall``)."""
        self._pending.add_all(ids)
        self._issued.add_all(ids)
        self._since_checkpoint.add_all(ids)
        # An id issued again (a fresh session may reuse ids) is live again.
        self._cancelled.discard_all(ids)

    def cancelled(self, ids: Iterable[str]) -> bool:
        """The service cancelled these calls; returns whether none is pending any more."""
        ids = tuple(ids)
        self._pending.discard_all(ids)
        self._cancelled.add_all(ids)
        return not self._pending

    def answered(self, ids: Iterable[str]) -> bool:
        """Answers to ``ids`` were accepted; returns whether none is pending any more."""
        self._pending.discard_all(ids)
        return not self._pending

    def checkpoint(self) -> None:
        """A resumable handle covers every call issued so far."""
        self._since_checkpoint.clear()

    def live(self, ids: Iterable[str | None]) -> list[bool]:
        """For each answer's call id: whether it may be sent (False: the call was cancelled)."""
        cancelled = self._cancelled
        return [call_id is None or call_id not in cancelled for call_id in ids]

    # ------------------------------------------------------------------ reconnecting

    def settle(self, fresh: bool) -> tuple[str, ...]:
        """A reconnect completed setup (``fresh``: a new service-side session); forget the
        calls it never issued. Returns those still pending (now cancelled), sorted."""
        self._lost = lost = frozenset(self._issued if fresh else self._since_checkpoint)
        if lost:
            self._rollbacks += 1
            self._last_rolled_back = lost
        dead = tuple(sorted(i for i in self._pending if i in lost))
        self._pending.discard_all(dead)
        self._cancelled.add_all(dead)
        if fresh:
            self._issued.clear()
        else:
            self._issued.discard_all(lost)
        self._since_checkpoint.clear()
        return dead

    @property
    def any_lost(self) -> bool:
        """Whether the reconnect under way lost calls."""
        return bool(self._lost)

    def answers_lost(self, frame: str) -> bool:
        """Whether an encoded ``toolResponse`` frame answers a call the reconnect lost."""
        lost = self._lost
        if not lost:
            return False
        body = orjson.loads(frame).get("toolResponse", {})
        return any(r.get("id") in lost for r in body.get("functionResponses", ()))

    def reconnected(self) -> None:
        """The reconnect is over (the lost set is no longer needed)."""
        self._lost = frozenset()

    def answer_survives(self, ids: Iterable[str], rollbacks: int) -> bool:
        """Whether an answer to ``ids``, checked when :attr:`rollbacks` was ``rollbacks``, may
        still be queued: no reconnect since then lost one of its calls."""
        if self._rollbacks == rollbacks:
            return True
        lost = self._last_rolled_back
        return self._rollbacks == rollbacks + 1 and not any(i in lost for i in ids)
