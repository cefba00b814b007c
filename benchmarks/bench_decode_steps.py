"""Where the time of the usage report's frame goes, step by step (see ``bench_decode.py``).

Run ``python benchmarks/bench_decode_steps.py [rounds] [iterations]`` (default 150 rounds of
1,000). The frame is ``bench_decode``'s "turnComplete + usageMetadata", compact and as the service
writes it. Each row is a whole reader, frame -> the same events as ``decode_events``, built the
decoder's way (see ``_makers.twin``); each adds one group of the checks the decoder's short path
makes (``decode._frame`` / ``_decode_messages.usage``) to the row above it:

* ``orjson.loads`` plus the eleven lookups of the values and the building, with no checks;
* the frame's dispatch: an object of two keys, the content exactly ``{"turnComplete": true}``;
* the report's key set: five keys, ``responseTokenCount`` among them (the lookups find the rest);
* each details entry has two keys (both found: exactly ``modality`` and ``tokenCount``);
* the three modalities are strings;
* the six counts are integers of int64: ``count > 1`` each and one OR below ``2**63``.

The last row is ``decode_events`` itself. The stdlib reader, ``orjson.loads`` alone and the floor
(``orjson.loads`` plus building the events from constants) are the references, as in
``bench_decode``. What each check costs is the difference between two rows of one run; on a busy
machine compare within a run only.

A last table weighs the ways of building the frame's four events (``Usage`` and its three
``ModalityTokens``, from constants, after ``orjson.loads``): the public constructors; a look-alike
twin (a plain class with the same ``__slots__``, moved to the event class by ``__class__``
assignment: the decoder's way until it used subclasses); and the decoder's twin, a subclass adding
no slot (``_makers.twin``), which is the floor of the tables above.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import orjson
from bench_decode import SHAPES, best_us_per_call, build_only, service_bytes, stdlib_reader

from gemini_live.protocol._makers import twin
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import ModalityTokens, TurnComplete, Usage

__all__ = ["main"]

ROUNDS = 150
ITERATIONS = 1_000
LABEL = "turnComplete + usageMetadata"

# One reader; the step flags (replaced by True or False below) switch its groups of checks on.
_TEMPLATE = """
def step(frame):
    obj = _load(frame)
    if DISPATCH:
        if type(obj) is not dict:
            return None
        size = len(obj)
        if size == 1 or size != 2:
            return None
    content = obj["serverContent"]
    value = obj["usageMetadata"]
    if DISPATCH:
        if not (content == _ONLY_TURN_COMPLETE and content["turnComplete"] is True):
            return None
    if KEYS:
        if not (len(value) == 5 and "responseTokenCount" in value):
            return None
    response = value["responseTokenCount"]
    response_details = value["responseTokensDetails"]
    prompt = value["promptTokenCount"]
    total = value["totalTokenCount"]
    prompt_details = value["promptTokensDetails"]
    (out,) = response_details
    modality = out["modality"]
    count = out["tokenCount"]
    first, second = prompt_details
    modality_1 = first["modality"]
    count_1 = first["tokenCount"]
    modality_2 = second["modality"]
    count_2 = second["tokenCount"]
    if ENTRIES:
        if not (len(out) == 2 and len(first) == 2 and len(second) == 2):
            return None
    if STRINGS:
        if not (type(modality) is str and type(modality_1) is str and type(modality_2) is str):
            return None
    if COUNTS:
        if not (
            prompt > 1 and response > 1 and total > 1 and count > 1 and count_1 > 1
            and count_2 > 1 and prompt | response | total | count | count_1 | count_2 < 2**63
        ):
            return None
    made_1 = _ModalityTokensTwin()
    made_1.modality = modality_1
    made_1.token_count = count_1
    made_1.__class__ = ModalityTokens
    made_2 = _ModalityTokensTwin()
    made_2.modality = modality_2
    made_2.token_count = count_2
    made_2.__class__ = ModalityTokens
    made = _ModalityTokensTwin()
    made.modality = modality
    made.token_count = count
    made.__class__ = ModalityTokens
    event = _UsageTwin()
    event.prompt_tokens = prompt
    event.response_tokens = response
    event.total_tokens = total
    event.cached_tokens = 0
    event.tool_use_prompt_tokens = 0
    event.thoughts_tokens = 0
    event.prompt_details = (made_1, made_2)
    event.response_details = (made,)
    event.__class__ = Usage
    return [event, _TURN_COMPLETE]
"""
_STEPS = (
    ("DISPATCH", "+ dispatch: an object of 2 keys, content exactly {turnComplete: true}"),
    ("KEYS", "+ the report's key set: 5 keys, responseTokenCount found"),
    ("ENTRIES", "+ each details entry has 2 keys (3 len)"),
    ("STRINGS", "+ the modalities are strings (3 type tests)"),
    ("COUNTS", "+ the counts are int64 integers (count > 1 for 6, one OR below 2**63)"),
)


def _step(checks: int) -> Callable[[Any], object]:
    """The reader with the first ``checks`` groups of checks on."""
    source = _TEMPLATE
    for index, (flag, _) in enumerate(_STEPS):
        source = source.replace(f"if {flag}:", f"if {index < checks}:")
    namespace: dict[str, Any] = {
        "_load": orjson.loads,
        "_ONLY_TURN_COMPLETE": {"turnComplete": True},
        "_TURN_COMPLETE": TurnComplete(),
        "_ModalityTokensTwin": twin(ModalityTokens),
        "_UsageTwin": twin(Usage),
        "ModalityTokens": ModalityTokens,
        "Usage": Usage,
    }
    exec(source, namespace)  # the template above, with its flags set
    step: Callable[[Any], object] = namespace["step"]
    return step


def _table(title: str, frame: str | bytes, rounds: int, iterations: int) -> None:
    readers: list[tuple[str, Callable[[Any], object]]] = [
        ("stdlib reader (json.loads + dict walk)", stdlib_reader),
        ("(orjson.loads alone)", orjson.loads),
        ("(floor: orjson.loads + building the events from constants)", build_only(frame)),
        ("orjson.loads + 11 lookups + building, no checks", _step(0)),
    ]
    readers += [(label, _step(index + 1)) for index, (_, label) in enumerate(_STEPS)]
    readers.append(("decode_events", decode_events))
    expected = decode_events(frame)
    for _, reader in readers[2:]:
        assert reader(frame) == expected  # every row builds the decoder's events
    times = best_us_per_call(tuple(r for _, r in readers), frame, rounds, iterations)
    stdlib = times[0]
    print(title)
    print()
    print("| step | µs | ratio to stdlib | added by the step |")
    print("|---|---|---|---|")
    previous: float | None = None
    for (label, _), took in zip(readers, times, strict=True):
        added = "" if previous is None else f"{(took - previous) * 1000:+.0f} ns"
        print(f"| {label} | {took:.2f} | {took / stdlib:.2f} | {added} |")
        if not label.startswith(("stdlib", "(orjson")):
            previous = took  # steps add to the row above; the floor starts them
    print()


_BUILD_TEMPLATE = """
def build(frame):
    _load(frame)
    made_1 = _MT()
    made_1.modality = _m1
    made_1.token_count = _c1
    made_1.__class__ = ModalityTokens
    made_2 = _MT()
    made_2.modality = _m2
    made_2.token_count = _c2
    made_2.__class__ = ModalityTokens
    made = _MT()
    made.modality = _m
    made.token_count = _c
    made.__class__ = ModalityTokens
    event = _UT()
    event.prompt_tokens = _prompt
    event.response_tokens = _response
    event.total_tokens = _total
    event.cached_tokens = 0
    event.tool_use_prompt_tokens = 0
    event.thoughts_tokens = 0
    event.prompt_details = (made_1, made_2)
    event.response_details = (made,)
    event.__class__ = Usage
    return [event, _TURN_COMPLETE]
"""


_PUBLIC_TEMPLATE = """
def build(frame):
    _load(frame)
    return [
        Usage(
            _prompt,
            _response,
            _total,
            0,
            0,
            0,
            (ModalityTokens(_m1, _c1), ModalityTokens(_m2, _c2)),
            (ModalityTokens(_m, _c),),
        ),
        _TURN_COMPLETE,
    ]
"""


def _look_alike(cls: type[Any]) -> type[Any]:
    """A plain class with ``cls``'s very ``__slots__`` (``cls`` derives from ``object``)."""
    return type(f"_{cls.__name__}LookAlike", (object,), {"__slots__": cls.__dict__["__slots__"]})


def _builders(frame: str | bytes) -> list[tuple[str, Callable[[Any], object]]]:
    usage, end = decode_events(frame)
    assert isinstance(usage, Usage)
    (first, second), (out,) = usage.prompt_details, usage.response_details
    constants: dict[str, Any] = {
        "_load": orjson.loads,
        "_TURN_COMPLETE": end,
        "ModalityTokens": ModalityTokens,
        "Usage": Usage,
        "_m1": first.modality,
        "_c1": first.token_count,
        "_m2": second.modality,
        "_c2": second.token_count,
        "_m": out.modality,
        "_c": out.token_count,
        "_prompt": usage.prompt_tokens,
        "_response": usage.response_tokens,
        "_total": usage.total_tokens,
    }

    namespace = dict(constants)
    exec(_PUBLIC_TEMPLATE, namespace)  # the same constants, through the classes themselves
    readers: list[tuple[str, Callable[[Any], object]]] = [
        ("orjson.loads + the public constructors", namespace["build"])
    ]
    for label, modality_tokens, usage_twin in (
        (
            "orjson.loads + look-alike twins (same __slots__, moved)",
            _look_alike(ModalityTokens),
            _look_alike(Usage),
        ),
        (
            "orjson.loads + subclass twins (the decoder's; the floor)",
            twin(ModalityTokens),
            twin(Usage),
        ),
    ):
        namespace = {**constants, "_MT": modality_tokens, "_UT": usage_twin}
        exec(_BUILD_TEMPLATE, namespace)  # one code object per kind of twin: its own caches
        readers.append((label, namespace["build"]))
    return readers


def _construction_table(frame: str | bytes, rounds: int, iterations: int) -> None:
    readers = [("stdlib reader (json.loads + dict walk)", stdlib_reader), *_builders(frame)]
    expected = decode_events(frame)
    for _, reader in readers[1:]:
        made = reader(frame)
        assert made == expected and type(made[0]) is Usage
    times = best_us_per_call(tuple(r for _, r in readers), frame, rounds, iterations)
    stdlib = times[0]
    print("Building the four events (compact frame), by construction path:")
    print()
    print("| construction | µs | ratio to stdlib | per event vs the row above |")
    print("|---|---|---|---|")
    for index, ((label, _), took) in enumerate(zip(readers, times, strict=True)):
        per_event = "" if index < 2 else f"{(took - times[index - 1]) * 1000 / 4:+.0f} ns"
        print(f"| {label} | {took:.2f} | {took / stdlib:.2f} | {per_event} |")
    print()


def main(argv: list[str]) -> int:
    rounds = int(argv[1]) if len(argv) > 1 else ROUNDS
    iterations = int(argv[2]) if len(argv) > 2 else ITERATIONS
    wire = dict(SHAPES)[LABEL]
    print(f"Python {sys.version.split()[0]}; {LABEL}; best of {rounds} rounds of {iterations}")
    print()
    _table("Compact text frame:", json.dumps(wire, separators=(",", ":")), rounds, iterations)
    _table("As the service writes it (binary, indented):", service_bytes(wire), rounds, iterations)
    _construction_table(json.dumps(wire, separators=(",", ":")), rounds, iterations)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
