"""Transcripts on disk and on screen: JSONL (one record per line), plain text, latency table.

JSONL lines are the :class:`~.records.TurnRecord` fields as JSON (nested records as objects,
tuples as arrays, times in seconds of the session's monotonic clock), so a transcript can be
loaded back with any JSON reader. Plain text is one ``user: ...`` / ``model: ...`` line per
side, with a blank line between turns.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import orjson

from gemini_live.conversation.records import TurnRecord

__all__ = ["TranscriptFiles", "latency_table", "record_to_dict", "transcript_paths"]


def record_to_dict(record: TurnRecord) -> dict[str, Any]:
    """``record`` as plain JSON-ready data (see the module docstring)."""
    data = dataclasses.asdict(record)
    data["latency"]["first_output"] = record.latency.first_output
    return data


def transcript_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The JSONL and plain-text files for ``path``: ``talk.jsonl``/``talk.txt`` for ``talk``,
    ``talk.jsonl`` or ``talk.txt`` (the suffix is replaced)."""
    base = Path(path)
    if base.suffix in (".jsonl", ".txt", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".jsonl"), base.with_name(base.name + ".txt")


class TranscriptFiles:
    """Append turn records to a JSONL file and a plain-text file as they complete.

    Each record is written and flushed at once (a crash loses at most the turn in progress).
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.jsonl_path, self.text_path = transcript_paths(path)
        self._jsonl: TextIO = open(self.jsonl_path, "w", encoding="utf-8")  # noqa: SIM115
        try:
            self._text: TextIO = open(self.text_path, "w", encoding="utf-8")  # noqa: SIM115
        except BaseException:
            self._jsonl.close()
            raise
        self.written = 0

    def write(self, record: TurnRecord) -> None:
        """Append ``record`` to both files and flush them."""
        line = orjson.dumps(record_to_dict(record)).decode()
        self._jsonl.write(line + "\n")
        self._jsonl.flush()
        if self.written:
            self._text.write("\n")
        self._text.write("".join(f"{line}\n" for line in record.lines()))
        self._text.flush()
        self.written += 1

    def write_all(self, records: Iterable[TurnRecord]) -> None:
        """Append every record, in order."""
        for record in records:
            self.write(record)

    def close(self) -> None:
        """Close both files (idempotent)."""
        self._jsonl.close()
        self._text.close()

    def __enter__(self) -> TranscriptFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def latency_table(records: Iterable[TurnRecord]) -> str:
    """A fixed-width table of each turn's latencies (milliseconds from the end of input)."""
    header = (
        f"{'turn':>4}  {'input end':<16} {'1st audio':>9} {'1st text':>9} {'gen done':>9} "
        f"{'turn done':>9}  {'tools':>5}  {'notes'}"
    )
    rows = [header, "-" * len(header)]
    for record in records:
        latency = record.latency
        first_text = latency.first_transcription
        if first_text is None:
            first_text = latency.first_text
        notes = []
        if record.interrupted is not None:
            notes.append(f"interrupted ({record.interrupted.cause or 'server'})")
        if record.reconnects:
            notes.append(f"{len(record.reconnects)} reconnect(s)")
        for call in record.tool_calls:
            if call.round_trip is not None:
                notes.append(f"{call.name} {_ms(call.round_trip)} ms")
        rows.append(
            f"{record.index:>4}  {latency.input_end_kind or '-':<16} "
            f"{_ms(latency.first_audio):>9} {_ms(first_text):>9} "
            f"{_ms(latency.generation_complete):>9} {_ms(latency.turn_complete):>9}  "
            f"{len(record.tool_calls):>5}  {', '.join(notes)}".rstrip()
        )
    return "\n".join(rows)
