"""The emulator's deterministic "model": what it answers, as a pure function of the conversation.

Rules::

    user text (stripped)                         reply
    -------------------------------------------  --------------------------------------------
    call NAME [JSON] (; call NAME2 [JSON] ...)   a toolCall (ids fc-1, fc-2, ... per session)
        every NAME declared in the session's       with args = JSON object (default {}); see
        tools, every JSON an object                "Tools" below. Otherwise it is plain text.
    list tools                                   "Tools: a, b."   (or "Tools: none.")
    instruction                                  "Instruction: <system instruction>" (whitespace
                                                  collapsed) or "Instruction: none."
    recap                                        "Recap: t1 | t2 | ..." (earlier user turns
                                                  of the conversation, oldest first) or
                                                  "Recap: nothing yet."
    say TEXT                                     TEXT
    (empty)                                      "I'm listening."
    anything else                                "Echo: " + text

The system instruction is not repeated in replies (a user reading a transcript should see the
answer only); ask ``instruction`` to see the one in force, e.g. after ``contextUpdate``.
User text is compared after stripping; replies collapse runs of whitespace to one space.
Speech (audio input) becomes the user text ``"<speech 1.20s>"`` (its duration in audio time, two
decimals), so it is answered ``"Echo: <speech 1.20s>"``.

Tools: a BLOCKING call holds the turn (no ``generationComplete``/``turnComplete``) until every call
of the ``toolCall`` has a response, then the model says, for each response in call order,
``"Result of NAME: <output JSON>"`` (the ``output`` key of ``response``, or the whole object when
there is neither ``output`` nor ``error``) or ``"Error from NAME: <error JSON>"``, joined by a
space. JSON is compact with sorted keys. A NON_BLOCKING call is followed by
``"Working on NAME."`` (names joined by ", ") and a normal end of turn; its result is spoken
later in its own turn with the same wording, per ``scheduling``.

Which declarations are NON_BLOCKING: a declaration's own ``behavior`` decides. Without one, the
model's default does, as reported for the service: NON_BLOCKING on ``gemini-3.8-live`` and
``gemini-3.8-live-extended-thinking`` (the default model!), BLOCKING on every other model;
``EmulatorOptions(default_tool_behavior=...)`` overrides it. Declare ``behavior="BLOCKING"`` to
get the answer in the same turn on every model.

Token counts (per turn, not cumulative): text is ``ceil(len(text) / 4)`` tokens, audio 25 tokens
per second, a video frame 258 tokens. ``promptTokenCount`` counts the conversation before the
reply (system instruction and earlier turns included, the reply itself excluded); the response
side counts the reply (its text, or the duration of its audio).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from .schema import ToolSet

__all__ = [
    "AUDIO_TOKENS_PER_SECOND",
    "VIDEO_TOKENS_PER_FRAME",
    "PlannedCall",
    "Reply",
    "filler_text",
    "respond",
    "result_text",
    "speech_text",
    "text_tokens",
]

AUDIO_TOKENS_PER_SECOND = 25
VIDEO_TOKENS_PER_FRAME = 258
_CALL = re.compile(r"^call\s+([A-Za-z_][\w.\-]*)\s*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A function call the model decided to make."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the model says (``text``) or, when ``calls`` is non-empty, which functions it calls."""

    text: str = ""
    calls: tuple[PlannedCall, ...] = ()


def compact_json(value: Any) -> str:
    """Compact JSON with sorted keys (deterministic)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def _parse_calls(text: str, tools: ToolSet) -> tuple[PlannedCall, ...]:
    calls: list[PlannedCall] = []
    for segment in text.split(";"):
        match = _CALL.match(segment.strip())
        if match is None or tools.find(match.group(1)) is None:
            return ()
        raw_args = match.group(2).strip()
        args: Any = {}
        if raw_args:
            try:
                args = orjson.loads(raw_args)
            except orjson.JSONDecodeError:
                return ()
        if not isinstance(args, dict):
            return ()
        calls.append(PlannedCall(match.group(1), args))
    return tuple(calls)


def respond(
    user_text: str, *, instruction: str, tools: ToolSet, earlier_user_texts: Sequence[str]
) -> Reply:
    """Apply the rules of the module docstring to one user input."""
    stripped = user_text.strip()
    if stripped.lower().startswith("call "):
        calls = _parse_calls(stripped, tools)
        if calls:
            return Reply(calls=calls)
    # Whitespace is collapsed so that the words of a reply are exactly its text split on spaces.
    text = " ".join(stripped.split())
    lowered = text.lower()
    if lowered == "list tools":
        names = ", ".join(tools.names) or "none"
        return Reply(f"Tools: {names}.")
    if lowered == "instruction":
        return Reply(f"Instruction: {' '.join(instruction.split()) or 'none.'}")
    if lowered == "recap":
        earlier = [t for t in earlier_user_texts if t]
        body = " | ".join(earlier) if earlier else "nothing yet."
        return Reply(f"Recap: {body}")
    if lowered.startswith("say "):
        return Reply(text[4:].strip())
    if not text:
        return Reply("I'm listening.")
    return Reply(f"Echo: {text}")


def result_text(results: Sequence[tuple[str, Mapping[str, Any]]], *, instruction: str) -> str:
    """What the model says about function results ``(name, response)``, in order."""
    pieces: list[str] = []
    for name, response in results:
        if "error" in response:
            pieces.append(f"Error from {name}: {compact_json(response['error'])}")
        elif "output" in response:
            pieces.append(f"Result of {name}: {compact_json(response['output'])}")
        else:
            pieces.append(f"Result of {name}: {compact_json(dict(response))}")
    del instruction  # not repeated in replies (see the module docstring)
    return " ".join(pieces)


def filler_text(names: Sequence[str], *, instruction: str) -> str:
    """What the model says right after starting NON_BLOCKING calls."""
    del instruction  # not repeated in replies (see the module docstring)
    return f"Working on {', '.join(names)}."


def speech_text(seconds: float) -> str:
    """The deterministic "transcript" of ``seconds`` of user speech."""
    return f"<speech {seconds:.2f}s>"


def text_tokens(text: str) -> int:
    """Token estimate for text: one token per four characters, rounded up."""
    return math.ceil(len(text) / 4)


def audio_tokens(seconds: float) -> int:
    """Token estimate for audio: 25 tokens per second, rounded up."""
    return math.ceil(seconds * AUDIO_TOKENS_PER_SECOND - 1e-9)
