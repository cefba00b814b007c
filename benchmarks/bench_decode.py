"""Micro-benchmark of the receive hot path: one server frame of every shape the service sends.

Run ``python benchmarks/bench_decode.py [rounds] [iterations]`` (default 100 rounds of 1,000).
For each frame shape it prints the client CPU per frame (the best round) of

* gemini-live: ``gemini_live.protocol.decode.decode_events`` (frame -> typed, frozen events);
* stdlib: a hand-written reader, ``json.loads`` + ``base64.b64decode`` of every audio part and a
  plain dict walk to the texts, flags, calls, handle, time left and total token count (what a
  naive client does, untyped);

and their ratio (target: every ratio <= 0.6), and, for reference, what ``orjson.loads`` alone
costs on the same frame and what ``orjson.loads`` plus building the same events costs (with the
decoder's constructors, from constants: no lookups, checks or base64; in brackets its ratio to
the stdlib reader), the floor under any typed decoder built on orjson. The rest of gemini-live's
time is reading and checking the fields (and decoding the audio). Rounds are short and
alternate between the readers, so that on a busy machine the best round of each is taken in the
same quiet moments.

Two tables: compact text frames, and the frames as the service writes them (clients that log the
raw frames show binary WebSocket frames of UTF-8 JSON indented by two spaces with a final
newline, e.g. ``b'{\\n  "setupComplete": {}\\n}\\n'``). Audio is 40 ms of 24 kHz PCM16 (1920
bytes), as the service sends it; frames carry ``"role": "model"`` where the service does; the
usage report has a TEXT and an AUDIO prompt modality, as in a voice session with a system
instruction. Nothing is cached between frames (each round decodes the same frame again, so a
cache would only flatter the figures): every row builds its events anew.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from gemini_live.protocol._makers import maker, twin
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import (
    AudioChunk,
    GenerationComplete,
    GoAway,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
    OutputTranscription,
    ProtocolViolation,
    ResumptionUpdate,
    TextDelta,
    ToolCall,
    TurnComplete,
    UnknownMessage,
    Usage,
)

__all__ = ["SHAPES", "main", "service_bytes", "stdlib_reader"]

SAMPLE_RATE = 24_000
FRAME_MS = 40
AUDIO_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2  # PCM16 mono: 1920 bytes
ROUNDS = 100
ITERATIONS = 1_000

_rng = random.Random(1234)
AUDIO = bytes(_rng.getrandbits(8) for _ in range(AUDIO_BYTES))
_AUDIO_PART = {
    "inlineData": {"mimeType": "audio/pcm;rate=24000", "data": base64.b64encode(AUDIO).decode()}
}
# The usage report of a voice turn as the service writes it (a text system instruction and the
# user's audio in the prompt, audio in the response); Vertex spells the response "candidates"
# and adds trafficType.
_USAGE = {
    "promptTokenCount": 1781,
    "promptTokensDetails": [
        {"modality": "TEXT", "tokenCount": 581},
        {"modality": "AUDIO", "tokenCount": 1200},
    ],
    "responseTokenCount": 340,
    "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 340}],
    "totalTokenCount": 2121,
}
_VERTEX_USAGE = {
    "promptTokenCount": 1781,
    "promptTokensDetails": [
        {"modality": "TEXT", "tokenCount": 581},
        {"modality": "AUDIO", "tokenCount": 1200},
    ],
    "candidatesTokenCount": 340,
    "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 340}],
    "totalTokenCount": 2121,
    "trafficType": "ON_DEMAND",
}

# (label, wire object): the shapes the service sends, as it spells them.
SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("modelTurn audio only", {"serverContent": {"modelTurn": {"parts": [_AUDIO_PART]}}}),
    (
        'audio with "role": "model"',
        {"serverContent": {"modelTurn": {"role": "model", "parts": [_AUDIO_PART]}}},
    ),
    (
        "audio + outputTranscription",
        {
            "serverContent": {
                "modelTurn": {"role": "model", "parts": [_AUDIO_PART]},
                "outputTranscription": {"text": " Sure, the weather in"},
            }
        },
    ),
    (
        "audio + outputTranscription, no role",
        {
            "serverContent": {
                "modelTurn": {"parts": [_AUDIO_PART]},
                "outputTranscription": {"text": " Sure, the weather in"},
            }
        },
    ),
    (
        "audio + inputTranscription",
        {
            "serverContent": {
                "modelTurn": {"role": "model", "parts": [_AUDIO_PART]},
                "inputTranscription": {"text": " what's up"},
            }
        },
    ),
    (
        "audio part + text part",
        {
            "serverContent": {
                "modelTurn": {"role": "model", "parts": [_AUDIO_PART, {"text": "Sure, the"}]}
            }
        },
    ),
    (
        "outputTranscription only",
        {"serverContent": {"outputTranscription": {"text": " Sure, the weather in"}}},
    ),
    (
        "inputTranscription",
        {"serverContent": {"inputTranscription": {"text": " what's up", "finished": True}}},
    ),
    (
        "interimInputTranscription + languageCode",
        {
            "serverContent": {
                "interimInputTranscription": {"text": " what's the", "languageCode": "en-US"}
            }
        },
    ),
    ("generationComplete", {"serverContent": {"generationComplete": True}}),
    ("interrupted", {"serverContent": {"interrupted": True}}),
    (
        "turnComplete + usageMetadata",
        {"serverContent": {"turnComplete": True}, "usageMetadata": _USAGE},
    ),
    (
        "turnComplete + usageMetadata (Vertex spelling)",
        {"serverContent": {"turnComplete": True}, "usageMetadata": _VERTEX_USAGE},
    ),
    (
        "last audio + turnComplete + usage",
        {
            "serverContent": {
                "modelTurn": {"role": "model", "parts": [_AUDIO_PART]},
                "turnComplete": True,
            },
            "usageMetadata": _USAGE,
        },
    ),
    (
        "toolCall, one function call",
        {
            "toolCall": {
                "functionCalls": [
                    {
                        "id": "function-call-4937614526497231086",
                        "name": "get_weather",
                        "args": {"city": "Paris"},
                    }
                ]
            }
        },
    ),
    (
        "sessionResumptionUpdate",
        {
            "sessionResumptionUpdate": {
                "newHandle": "Cig2cWF3NnJ5cXh5a3B2a2RsNXhxbXo0d2Z2cnE0ZzRqbXZhN2t4YnFh",
                "resumable": True,
            }
        },
    ),
    ("goAway", {"goAway": {"timeLeft": "50s"}}),
]


def stdlib_reader(frame: str | bytes) -> list[Any]:
    """What a hand-written client does with the stdlib: parse, decode the audio, pick fields."""
    message = json.loads(frame)
    out: list[Any] = []
    content = message.get("serverContent")
    if content is not None:
        if content.get("interrupted"):
            out.append("interrupted")
        turn = content.get("modelTurn")
        if turn is not None:
            for part in turn["parts"]:
                blob = part.get("inlineData")
                if blob is not None:
                    out.append(base64.b64decode(blob["data"]))
                elif "text" in part:
                    out.append(part["text"])
        for key in ("inputTranscription", "interimInputTranscription", "outputTranscription"):
            transcript = content.get(key)
            if transcript is not None:
                out.append(transcript["text"])
        if content.get("generationComplete"):
            out.append("generationComplete")
        if content.get("turnComplete"):
            out.append(True)
    tool_call = message.get("toolCall")
    if tool_call is not None:
        for call in tool_call["functionCalls"]:
            out.append((call["name"], call.get("args", {}), call.get("id")))
    update = message.get("sessionResumptionUpdate")
    if update is not None:
        out.append(update.get("newHandle") if update.get("resumable") else None)
    go_away = message.get("goAway")
    if go_away is not None:
        out.append(float(go_away["timeLeft"].rstrip("s")))
    usage = message.get("usageMetadata")
    if usage is not None:
        out.append(usage["totalTokenCount"])
    return out


def _check(label: str, frame: str | bytes) -> None:
    """Both readers must get the same content out before they are timed."""
    events = decode_events(frame)
    assert not any(isinstance(e, ProtocolViolation | UnknownMessage) for e in events), events
    got: list[Any] = []
    for event in events:
        if isinstance(event, AudioChunk):
            got.append(event.data)
        elif isinstance(
            event,
            TextDelta | InputTranscription | InterimInputTranscription | OutputTranscription,
        ):
            got.append(event.text)
        elif isinstance(event, Interrupted):
            got.append("interrupted")
        elif isinstance(event, GenerationComplete):
            got.append("generationComplete")
        elif isinstance(event, TurnComplete):
            got.append(True)
        elif isinstance(event, ToolCall):
            got.extend((call.name, call.args, call.id) for call in event.calls)
        elif isinstance(event, ResumptionUpdate):
            got.append(event.handle)
        elif isinstance(event, GoAway):
            got.append(event.time_left.total_seconds())
    stdlib = stdlib_reader(frame)
    usage = [e for e in events if isinstance(e, Usage)]
    if usage:
        assert stdlib.pop() == usage[0].total_tokens, label
    assert got == stdlib, (label, events)


def best_us_per_call(
    readers: tuple[Callable[[Any], object], ...],
    frame: str | bytes,
    rounds: int,
    iterations: int,
) -> list[float]:
    """Best round for each reader; rounds alternate between the readers, so that on a busy
    machine both see the same conditions."""
    best = [float("inf")] * len(readers)
    for _ in range(rounds):
        for index, fn in enumerate(readers):
            start = time.process_time_ns()
            for _ in range(iterations):
                fn(frame)
            elapsed = time.process_time_ns() - start
            best[index] = min(best[index], elapsed / iterations / 1000)
    return best


def build_only(frame: str | bytes) -> Callable[[str | bytes], object]:
    """A reader that parses ``frame`` with ``orjson.loads`` and builds events equal to the
    decoder's, the way the decoder builds them (a twin's slots set inline and its class moved,
    see ``_makers.twin``; the maker where there is no twin) and with its shared instances of
    field-less events, from constants: no lookups, no checks, no base64. The floor under any
    typed decoder built on orjson, for comparison with ``decode_events``."""
    events = decode_events(frame)
    namespace: dict[str, Any] = {"_loads": orjson.loads}
    lines: list[str] = []

    def bind(value: object) -> str:
        name = f"_c{len(namespace)}"
        namespace[name] = value
        return name

    def expr(value: Any) -> str:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            cls = type(value)
            fields = dataclasses.fields(value)
            if not fields:
                return bind(value)  # the decoder shares these too
            values = [expr(getattr(value, f.name)) for f in fields]
            made = twin(cls)
            if made is None:
                return f"{bind(maker(cls, len(fields)))}({', '.join(values)})"
            name = f"_o{len(lines)}"
            lines.append(f"    {name} = {bind(made)}()")
            lines.extend(f"    {name}.{f.name} = {v}" for f, v in zip(fields, values, strict=True))
            lines.append(f"    {name}.__class__ = {bind(cls)}")
            return name
        if type(value) is tuple:
            return "(" + "".join(f"{expr(item)}, " for item in value) + ")"
        return bind(value)

    result = ", ".join(map(expr, events))
    body = "\n".join(lines)
    source = f"def floor(frame):\n    _loads(frame)\n{body}\n    return [{result}]\n"
    exec(source, namespace)  # built from the events' own values only
    floor: Callable[[str | bytes], object] = namespace["floor"]
    assert floor(frame) == events
    return floor


def _table(
    title: str, frames: list[tuple[str, str | bytes]], rounds: int, iterations: int
) -> float:
    print(title)
    print()
    print(
        "| frame the service sends | gemini-live | stdlib | ratio "
        "| (orjson.loads alone) | (orjson.loads + building the events only) |"
    )
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for label, frame in frames:
        _check(label, frame)
        ours, theirs, parse, floor = best_us_per_call(
            (decode_events, stdlib_reader, orjson.loads, build_only(frame)),
            frame,
            rounds,
            iterations,
        )
        ratio = ours / theirs
        worst = max(worst, ratio)
        print(
            f"| {label} | {ours:.2f} µs | {theirs:.2f} µs | {ratio:.2f} | {parse:.2f} µs "
            f"| {floor:.2f} µs ({floor / theirs:.2f}) |"
        )
    print()
    return worst


def main(argv: list[str]) -> int:
    rounds = int(argv[1]) if len(argv) > 1 else ROUNDS
    iterations = int(argv[2]) if len(argv) > 2 else ITERATIONS
    print(
        f"Python {sys.version.split()[0]}; client CPU per frame, best of {rounds} rounds of "
        f"{iterations}; "
        f"audio = {FRAME_MS} ms of {SAMPLE_RATE // 1000} kHz PCM16 ({AUDIO_BYTES} bytes)"
    )
    print()
    worst = _table(
        "Compact text frames:",
        [(label, json.dumps(wire, separators=(",", ":"))) for label, wire in SHAPES],
        rounds,
        iterations,
    )
    worst = max(
        worst,
        _table(
            "As the service writes them (binary frames, JSON indented by 2, final newline):",
            [(label, service_bytes(wire)) for label, wire in SHAPES],
            rounds,
            iterations,
        ),
    )
    verdict = "meets" if worst <= 0.6 else "MISSES"
    print(f"worst ratio {worst:.2f}: {verdict} the target (every row <= 0.6)")
    return 0


def service_bytes(wire: dict[str, Any]) -> bytes:
    """``wire`` as the service sends it: UTF-8 in a binary frame, indented, a final newline."""
    return json.dumps(wire, indent=2).encode() + b"\n"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
