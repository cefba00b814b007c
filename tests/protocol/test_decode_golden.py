"""The server-frame golden table, driven through every decoder entry point and the encoder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import AudioChunk, TextDelta
from gemini_live.protocol.server_codec import (
    encode_server_frame,
    parse_server_frame,
    server_frame_to_wire,
    to_events,
)

from .golden_server import AUDIO, GOLDEN, GoldenRow

ROWS = [pytest.param(row, id=row.name) for row in GOLDEN]
CANONICAL = [pytest.param(row, id=row.name) for row in GOLDEN if row.canonical]


@pytest.mark.parametrize("row", ROWS)
def test_parse_gives_the_typed_frame(row: GoldenRow) -> None:
    assert parse_server_frame(json.dumps(row.wire)) == row.frame


@pytest.mark.parametrize("row", ROWS)
def test_typed_frame_gives_the_events(row: GoldenRow) -> None:
    assert to_events(row.frame) == row.events


@pytest.mark.parametrize("row", ROWS)
def test_decode_events_text_frame(row: GoldenRow) -> None:
    assert decode_events(json.dumps(row.wire)) == row.events


@pytest.mark.parametrize("row", ROWS)
def test_decode_events_binary_frame(row: GoldenRow) -> None:
    frame = json.dumps(row.wire, ensure_ascii=False).encode("utf-8")
    assert decode_events(frame) == row.events
    assert parse_server_frame(frame) == row.frame


def test_the_hot_path_builds_no_typed_tree() -> None:
    # decode_events goes from the parsed JSON straight to events: importing it must not even
    # load the typed server-frame modules, and every golden row decodes without them.
    script = (
        "import json, sys\n"
        "from gemini_live.protocol.decode import decode_events\n"
        "typed = ('server', '_server_parse', '_server_encode', 'server_codec')\n"
        "loaded = [m for m in typed if 'gemini_live.protocol.' + m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "from tests.protocol.golden_server import GOLDEN\n"
        "for row in GOLDEN:\n"
        "    assert decode_events(json.dumps(row.wire)) == row.events, row.name\n"
        "assert 'gemini_live.protocol._server_parse' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("row", CANONICAL)
def test_encode_reproduces_the_canonical_wire(row: GoldenRow) -> None:
    encoded = encode_server_frame(row.frame)
    assert isinstance(encoded, str)
    assert orjson.loads(encoded) == row.wire
    assert server_frame_to_wire(row.frame) == row.wire


@pytest.mark.parametrize("row", ROWS)
def test_encode_then_parse_round_trips(row: GoldenRow) -> None:
    assert parse_server_frame(encode_server_frame(row.frame)) == row.frame


def test_encoder_writes_what_the_service_writes() -> None:
    by_name = {row.name: row for row in GOLDEN}
    snake = orjson.loads(encode_server_frame(by_name["snake_case_everywhere"].frame))
    assert set(snake) == {"serverContent", "usageMetadata"}
    usage = snake["usageMetadata"]
    assert usage["candidatesTokenCount"] == 20 and "responseTokenCount" not in usage
    urlsafe = orjson.loads(encode_server_frame(by_name["base64_urlsafe_unpadded"].frame))
    data = urlsafe["serverContent"]["modelTurn"]["parts"][0]["inlineData"]["data"]
    assert "-" not in data and "_" not in data and data.endswith("=")
    numbers = orjson.loads(encode_server_frame(by_name["resumption_index_as_number"].frame))
    assert numbers["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] == "7"
    seconds = orjson.loads(encode_server_frame(by_name["go_away_number_of_seconds"].frame))
    assert seconds == {"goAway": {"timeLeft": "30s"}}


def test_google_usage_spelling_is_kept_when_encoding() -> None:
    row = next(r for r in GOLDEN if r.name == "usage_google_spelling")
    usage = orjson.loads(encode_server_frame(row.frame))["usageMetadata"]
    assert usage["responseTokenCount"] == 340 and "candidatesTokenCount" not in usage
    assert usage["responseTokensDetails"] == [{"modality": "AUDIO", "tokenCount": 340}]


def test_both_base64_alphabets_decode_to_the_same_audio() -> None:
    decoded = {
        row.name: row.events[0].data
        for row in GOLDEN
        if row.name.startswith("base64_") and isinstance(row.events[0], AudioChunk)
    }
    assert len(decoded) == 3
    for name, data in decoded.items():
        got = decode_events(json.dumps(next(r for r in GOLDEN if r.name == name).wire))
        assert isinstance(got[0], AudioChunk)
        assert got[0].data == data == AUDIO


def test_text_fast_path_keeps_unicode() -> None:
    frame = '{"serverContent":{"modelTurn":{"parts":[{"text":"caf\\u00e9 \u2603"}]}}}'
    assert decode_events(frame) == [TextDelta("caf\u00e9 \u2603")]
    assert decode_events(frame.encode()) == [TextDelta("caf\u00e9 \u2603")]
