"""LineReader: standard input read line by line, cancellable, from a pipe, a file or a thread."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from gemini_live.cli.lines import LineReader


async def _lines(reader: LineReader) -> list[str]:
    out = []
    async with asyncio.timeout(5):
        while (line := await reader.readline()) is not None:
            out.append(line)
    return out


async def test_a_pipe_gives_lines_then_none_at_eof() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb", buffering=0) as stream:
        reader = LineReader(stream)
        os.write(write_fd, b"one\r\ntwo\nthr")
        os.write(write_fd, "ee \xe9\n\xff last".encode("latin-1"))
        os.close(write_fd)
        assert await _lines(reader) == ["one", "two", "three \ufffd", "\ufffd last"]


async def test_a_regular_file_is_read_directly(tmp_path: Path) -> None:
    path = tmp_path / "questions.txt"
    path.write_text("hello\n\nsay bye\n", encoding="utf-8")
    with path.open("rb") as stream:
        assert await _lines(LineReader(stream)) == ["hello", "", "say bye"]


async def test_a_pending_read_is_cancelled_at_once_and_loses_nothing() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb", buffering=0) as stream:
        reader = LineReader(stream)
        os.write(write_fd, b"partial")
        pending = asyncio.create_task(reader.readline())
        for _ in range(20):  # a few loop turns: the reader buffers "partial" and waits again
            await asyncio.sleep(0)
        assert not pending.done()
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        os.write(write_fd, b" line\n")
        os.close(write_fd)
        assert await _lines(reader) == ["partial line"]


async def test_where_the_loop_cannot_watch_the_descriptor_a_daemon_thread_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    def refuse(*args: object) -> None:
        raise NotImplementedError  # as on Windows' proactor loop

    monkeypatch.setattr(loop, "add_reader", refuse)
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as stream:
        reader = LineReader(stream)
        os.write(write_fd, b"a\nb\n")
        os.close(write_fd)
        assert await _lines(reader) == ["a", "b"]
