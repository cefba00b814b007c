"""Fault injection: what goes wrong, and on which connection attempt.

A :class:`Fault` is an action plus a trigger. Build them with the class methods::

    Fault.close(1011, "Internal error occurred.", after_client_messages=3)
    Fault.close(at="mid_turn")            # moments: see Moment
    Fault.abort(at="mid_audio")           # drop TCP without a close frame
    Fault.delay_setup_complete(2.0)       Fault.no_setup_complete()
    Fault.malformed_frame()               Fault.unknown_message()      Fault.oversized_frame()
    Fault.go_away(5.0)                    # an early goAway with timeLeft=5s
    Fault.refuse_resumption()             # a setup carrying a handle is closed 1008
    Fault.unresumable()                   # every sessionResumptionUpdate says resumable: false
    Fault.stall(2.0)                      # stop reading the socket for 2 s (None: forever)
    Fault.slow_pongs(5.0)                 # answer pings 5 s late
    Fault.silence(at="tool_call")         # the model goes quiet (socket open, input read)
    Fault.silence(until_input=True)       # ... until real-time input arrives
    Fault.forget_context()                # a resume on this connection restores no history

Triggers: ``after_client_messages=N`` fires once the N-th client message after ``setup`` has been
handled; ``after_server_frames=N`` once the N-th server frame has been sent (``setupComplete`` is
frame 1); ``at=<moment>`` at the first occurrence of the moment. Without a trigger, ``close`` and
``abort`` fire at ``"setup"`` (before ``setupComplete``) and the frame, goAway, stall and silence
faults at ``"setup_complete"``. Each fault fires at most once per connection.

:class:`FaultPlan` (``emulator.faults``) hands faults to connection attempts: ``next(*faults)``
queues a set for the next attempt (call it again to plan the attempt after), ``always(*faults)``
applies to every attempt, ``clear()`` forgets everything. ``injected`` lists what actually fired.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from .wire import NOT_FOUND

__all__ = ["Fault", "FaultPlan", "InjectedFault", "Moment"]

Moment = Literal[
    "setup",
    "setup_complete",
    "mid_turn",
    "mid_reply_audio",
    "mid_audio",
    "tool_call",
    "turn_complete",
]
"""``setup``: the setup message was accepted, before ``setupComplete``; ``setup_complete``: just
after it; ``mid_turn``: after the first content chunk of a model turn; ``mid_reply_audio``: after
the first audio chunk of a model turn; ``mid_audio``: while the user is speaking (a client audio
chunk was handled while speech is in progress); ``tool_call``: after a ``toolCall`` was sent;
``turn_complete``: after a ``turnComplete`` was sent."""

MOMENTS: tuple[str, ...] = (
    "setup",
    "setup_complete",
    "mid_turn",
    "mid_reply_audio",
    "mid_audio",
    "tool_call",
    "turn_complete",
)
OVERSIZED_DEFAULT = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. Prefer the class-method constructors; see the module docstring."""

    action: str
    at: Moment | None = None
    after_client_messages: int | None = None
    after_server_frames: int | None = None
    code: int = 1011
    reason: str = "Internal error occurred."
    seconds: float | None = None
    payload: str | bytes | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.at is not None and self.at not in MOMENTS:
            raise ValueError(f"unknown moment {self.at!r}; expected one of {MOMENTS}")
        for name in ("after_client_messages", "after_server_frames"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        if self.seconds is not None and self.seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {self.seconds!r}")

    @property
    def name(self) -> str:
        """The label used in counters (``"close"``, ``"malformed_frame"``, ...)."""
        return self.label or self.action

    @property
    def triggered(self) -> bool:
        """Whether an explicit trigger was given."""
        return (
            self.at is not None
            or self.after_client_messages is not None
            or self.after_server_frames is not None
        )

    @classmethod
    def close(
        cls,
        code: int = 1011,
        reason: str = "Internal error occurred.",
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Close the connection with ``code``/``reason`` (default trigger: during setup)."""
        return cls._triggered(
            "close",
            at,
            after_client_messages,
            after_server_frames,
            "setup",
            code=code,
            reason=reason,
        )

    @classmethod
    def abort(
        cls,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Drop the TCP connection without a close frame (the client sees 1006)."""
        return cls._triggered("abort", at, after_client_messages, after_server_frames, "setup")

    @classmethod
    def delay_setup_complete(cls, seconds: float) -> Fault:
        """Send ``setupComplete`` ``seconds`` late."""
        return cls("delay_setup", seconds=seconds)

    @classmethod
    def no_setup_complete(cls) -> Fault:
        """Never send ``setupComplete`` (the connection stays open and silent)."""
        return cls("no_setup_complete")

    @classmethod
    def send(
        cls,
        payload: str | bytes,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
        label: str = "send",
    ) -> Fault:
        """Send ``payload`` verbatim as one frame (str: text frame, bytes: binary frame)."""
        return cls._triggered(
            "send",
            at,
            after_client_messages,
            after_server_frames,
            "setup_complete",
            payload=payload,
            label=label,
        )

    @classmethod
    def malformed_frame(
        cls,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Send a text frame that is not JSON."""
        return cls.send(
            '{"serverContent": {"modelTurn": <not json',
            at=at,
            after_client_messages=after_client_messages,
            after_server_frames=after_server_frames,
            label="malformed_frame",
        )

    @classmethod
    def unknown_message(
        cls,
        *,
        message: str = '{"emulatorFutureMessage": {"note": "a message type clients do not know"}}',
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Send a well-formed frame whose only top-level key is unknown."""
        return cls.send(
            message,
            at=at,
            after_client_messages=after_client_messages,
            after_server_frames=after_server_frames,
            label="unknown_message",
        )

    @classmethod
    def oversized_frame(
        cls,
        size: int = OVERSIZED_DEFAULT,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Send a valid audio ``serverContent`` frame of at least ``size`` bytes (default 2 MiB)."""
        head = (
            '{"serverContent":{"modelTurn":{"parts":[{"inlineData":'
            '{"mimeType":"audio/pcm;rate=24000","data":"'
        )
        tail = '"}}]}}}'
        body_len = max(4, size - len(head) - len(tail))
        payload = head + "A" * (body_len - body_len % 4) + tail
        return cls.send(
            payload,
            at=at,
            after_client_messages=after_client_messages,
            after_server_frames=after_server_frames,
            label="oversized_frame",
        )

    @classmethod
    def go_away(
        cls,
        time_left: float,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Send ``goAway`` with ``timeLeft`` (the lifetime deadline itself is unchanged)."""
        return cls._triggered(
            "go_away",
            at,
            after_client_messages,
            after_server_frames,
            "setup_complete",
            seconds=time_left,
        )

    @classmethod
    def refuse_resumption(cls, code: int = 1008, reason: str = NOT_FOUND) -> Fault:
        """Close a setup that carries a resumption handle (valid or not)."""
        return cls("refuse_resumption", code=code, reason=reason)

    @classmethod
    def unresumable(cls) -> Fault:
        """Every ``sessionResumptionUpdate`` on this connection says ``resumable: false``."""
        return cls("unresumable")

    @classmethod
    def stall(
        cls,
        seconds: float | None = None,
        *,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """Stop reading the socket for ``seconds`` (None: until the connection ends)."""
        return cls._triggered(
            "stall",
            at,
            after_client_messages,
            after_server_frames,
            "setup_complete",
            seconds=seconds,
        )

    @classmethod
    def silence(
        cls,
        *,
        until_input: bool = False,
        at: Moment | None = None,
        after_client_messages: int | None = None,
        after_server_frames: int | None = None,
    ) -> Fault:
        """From the trigger on, the model produces nothing: input is still read (the socket
        stays healthy, pings are answered), but no reply, tool call or ``turnComplete`` comes,
        and no resumable handle covers the unanswered input (a resume replays it). Reproduces
        the silent stalls reported after tool responses and resumes (``at="tool_call"``: quiet
        after the call). With ``until_input`` the next real-time input (audio or text) wakes
        the model, which then gives the reply it held back; that input only serves as the
        prompt to continue (it is not answered as a turn of its own), like the 3.x models that
        resume only when real-time input arrives. Without it the connection stays silent."""
        return cls._triggered(
            "silence_until_input" if until_input else "silence",
            at,
            after_client_messages,
            after_server_frames,
            "setup_complete",
            label="silence",
        )

    @classmethod
    def forget_context(cls) -> Fault:
        """A resume on this connection accepts the handle but restores an empty conversation
        (system instruction and tools kept): the service's "resumed, context gone" case."""
        return cls("forget_context")

    @classmethod
    def slow_pongs(cls, delay: float) -> Fault:
        """Answer WebSocket pings ``delay`` seconds late (for the whole connection)."""
        return cls("slow_pongs", seconds=delay)

    @classmethod
    def _triggered(
        cls,
        action: str,
        at: Moment | None,
        after_client: int | None,
        after_server: int | None,
        default: Moment,
        *,
        code: int = 1011,
        reason: str = "Internal error occurred.",
        seconds: float | None = None,
        payload: str | bytes | None = None,
        label: str = "",
    ) -> Fault:
        if at is None and after_client is None and after_server is None:
            at = default
        return cls(
            action,
            at=at,
            after_client_messages=after_client,
            after_server_frames=after_server,
            code=code,
            reason=reason,
            seconds=seconds,
            payload=payload,
            label=label,
        )


@dataclass(frozen=True, slots=True)
class InjectedFault:
    """A fault that fired: on which connection (emulator-wide number) and what it did."""

    connection: int
    name: str
    detail: str = ""


class FaultPlan:
    """Queue of faults per connection attempt; see the module docstring."""

    def __init__(self) -> None:
        self._queue: deque[tuple[Fault, ...]] = deque()
        self._always: list[Fault] = []
        self.injected: list[InjectedFault] = []

    def next(self, *faults: Fault) -> None:
        """Apply ``faults`` to the next connection attempt not planned yet (none: a clean one)."""
        self._queue.append(tuple(faults))

    def always(self, *faults: Fault) -> None:
        """Apply ``faults`` to every connection attempt from now on."""
        self._always.extend(faults)

    def clear(self) -> None:
        """Forget queued and permanent faults (``injected`` is kept)."""
        self._queue.clear()
        self._always.clear()

    @property
    def pending(self) -> int:
        """Number of connection attempts still planned."""
        return len(self._queue)

    def take(self) -> tuple[Fault, ...]:
        """The faults for a new connection attempt."""
        planned = self._queue.popleft() if self._queue else ()
        return planned + tuple(self._always)

    def record(self, connection: int, fault: Fault, detail: str = "") -> None:
        """Note that ``fault`` fired on ``connection``."""
        self.injected.append(InjectedFault(connection, fault.name, detail))

    def count(self, name: str) -> int:
        """How many times a fault named ``name`` fired."""
        return sum(1 for f in self.injected if f.name == name)
