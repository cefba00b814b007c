"""``--transcript PATH`` on ``chat`` and ``talk``, and the demo's latency table (real CLI runs
against the built-in emulator, in a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from gemini_live.audio.synth import silence, synthesize
from gemini_live.audio.wav import write_wav_pcm16
from tests.cli.runner import run_cli


def test_chat_writes_jsonl_and_plain_text(tmp_path: Path) -> None:
    result = run_cli("chat", "--transcript", "chat", stdin="hello\nsay good night\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "transcript: chat.jsonl and chat.txt (2 turns)" in result.stdout

    records = [json.loads(line) for line in (tmp_path / "chat.jsonl").read_text().splitlines()]
    assert [r["index"] for r in records] == [1, 2]
    assert records[0]["user"] == {
        "role": "user",
        "text": "hello",
        "source": "text",
        "language_code": None,
    }
    assert records[0]["model"]["text"] == "Echo: hello"
    assert records[1]["model"]["text"] == "good night"
    latency = records[0]["latency"]
    assert latency["input_end_kind"] == "text"
    assert latency["first_audio"] >= 0 and latency["first_output"] >= 0
    assert records[0]["usage"]["prompt_tokens"] > 0
    assert (tmp_path / "chat.txt").read_text() == (
        "user: hello\nmodel: Echo: hello\n\nuser: say good night\nmodel: good night\n"
    )


def test_talk_transcript_measures_from_the_end_of_the_upload(tmp_path: Path) -> None:
    pcm = silence(0.2, 16_000) + synthesize("what is the time", 16_000) + silence(0.2, 16_000)
    write_wav_pcm16(tmp_path / "q.wav", pcm, 16_000)
    result = run_cli(
        "talk", "--in", "q.wav", "--out", "r.wav", "--transcript", "talk.txt", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in (tmp_path / "talk.jsonl").read_text().splitlines()]
    assert record["user"]["text"].startswith("<speech ")
    assert record["model"]["text"] == "Echo: " + record["user"]["text"]
    assert record["latency"]["input_end_kind"] in ("audio_stream_end", "last_audio")
    assert record["audio_seconds"] > 0
    assert (tmp_path / "talk.txt").read_text().startswith("user: <speech ")


def test_a_bad_transcript_path_is_one_error_line(tmp_path: Path) -> None:
    result = run_cli("chat", "--transcript", str(tmp_path / "missing" / "t"), stdin="hello\n")
    assert result.returncode == 1
    assert "No such file or directory" in result.error_line("chat")
