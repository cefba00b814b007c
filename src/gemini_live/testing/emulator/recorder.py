"""JSONL recording of every frame in both directions, and a loader for replays.

One JSON object per line::

    {"t": 0.0012, "conn": 1, "event": "open", "path": "/ws/google.ai..."}   (no query string)
    {"t": 0.0031, "conn": 1, "dir": "c2s", "text": "{\\"setup\\": ...}"}
    {"t": 0.0040, "conn": 1, "dir": "s2c", "binary": "<base64>"}            (binary frames)
    {"t": 1.2000, "conn": 1, "event": "close", "code": 1000, "reason": "...", "by": "server"}
    {"t": 1.3000, "conn": 1, "event": "abort", "by": "server"}

``t`` is seconds since the connection opened; ``conn`` numbers connections in the order the
emulator accepted them. Handshake headers (credentials) are never recorded.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

__all__ = ["RecordedConnection", "RecordedStep", "Recorder", "load_recording"]


class Recorder:
    """Appends frames and events to a JSONL file (line-buffered; safe to read while running)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = self.path.open("a", encoding="utf-8")
        self._starts: dict[int, float] = {}
        self._lock = threading.Lock()

    def _t(self, conn: int) -> float:
        start = self._starts.setdefault(conn, time.monotonic())
        return round(time.monotonic() - start, 6)

    def _write(self, record: dict[str, Any]) -> None:
        with self._lock:
            if self._file.closed:
                return
            self._file.write(orjson.dumps(record).decode("utf-8") + "\n")
            self._file.flush()

    def open(self, conn: int, path: str) -> None:
        """A connection was accepted on ``path`` (pass it without its query string)."""
        self._starts[conn] = time.monotonic()
        self._write({"t": 0.0, "conn": conn, "event": "open", "path": path})

    def frame(self, conn: int, direction: str, data: str | bytes) -> None:
        """A frame went ``direction`` (``"c2s"`` or ``"s2c"``)."""
        record: dict[str, Any] = {"t": self._t(conn), "conn": conn, "dir": direction}
        if isinstance(data, bytes):
            record["binary"] = base64.b64encode(data).decode("ascii")
        else:
            record["text"] = data
        self._write(record)

    def event(self, conn: int, kind: str, **fields: Any) -> None:
        """A connection event (``close``, ``abort``)."""
        self._write({"t": self._t(conn), "conn": conn, "event": kind, **fields})

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()


@dataclass(slots=True)
class RecordedStep:
    """Server output following one client frame (or, for step 0 of a connection, the open)."""

    frames: list[tuple[float, str | bytes]] = field(default_factory=list)
    close: tuple[int, str] | None = None
    abort: bool = False


@dataclass(slots=True)
class RecordedConnection:
    """A recorded connection: ``steps[0]`` answers the open, ``steps[i]`` the i-th client frame."""

    conn: int
    path: str = ""
    steps: list[RecordedStep] = field(default_factory=lambda: [RecordedStep()])
    client_frames: list[str | bytes] = field(default_factory=list)


def _data(record: dict[str, Any]) -> str | bytes:
    if "binary" in record:
        return base64.b64decode(record["binary"])
    return str(record.get("text", ""))


def load_recording(path: str | os.PathLike[str]) -> list[RecordedConnection]:
    """Parse a recording into connections, in the order they were accepted."""
    conns: dict[int, RecordedConnection] = {}
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = orjson.loads(line)
            conn_id = int(record["conn"])
            conn = conns.setdefault(conn_id, RecordedConnection(conn_id))
            step = conn.steps[-1]
            t = float(record.get("t", 0.0))
            if record.get("event") == "open":
                conn.path = str(record.get("path", ""))
            elif record.get("dir") == "c2s":
                conn.client_frames.append(_data(record))
                conn.steps.append(RecordedStep())
            elif record.get("dir") == "s2c":
                step.frames.append((t, _data(record)))
            elif record.get("event") == "close" and record.get("by") == "server":
                step.close = (int(record.get("code", 1000)), str(record.get("reason", "")))
            elif record.get("event") == "abort" and record.get("by") == "server":
                step.abort = True
    return [conns[k] for k in sorted(conns)]
