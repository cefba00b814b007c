"""``--transcript PATH`` for ``chat`` and ``talk``: the conversation as JSONL and plain text.

The turn records (see :mod:`gemini_live.conversation`) go to ``PATH.jsonl`` (one record per
line, with latencies, tool calls and usage) and ``PATH.txt`` (``user:``/``model:`` lines). The
option itself is defined in :mod:`gemini_live.cli.options` (parsing must not import this module).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gemini_live.client.session import Session
    from gemini_live.client.writer import SessionWriter

__all__ = ["transcribing"]


@asynccontextmanager
async def transcribing(
    session: Session, path: str | os.PathLike[str] | None
) -> AsyncIterator[SessionWriter]:
    """The writer to send through: the session itself, or (with a path) a writer that lets the
    conversation layer see the input; the records are written when the block ends, however it
    ends."""
    if path is None:
        yield session
        return
    # The conversation layer only when a transcript is asked for (a command's start pays for
    # each module it imports).
    from gemini_live.conversation import Conversation
    from gemini_live.conversation.transcript import TranscriptFiles

    with TranscriptFiles(path) as files:  # opened first: a bad path fails before any traffic
        convo = Conversation(session, stall=None)
        try:
            async with convo:
                yield convo.writer()
        finally:
            # Also after an error or Ctrl-C: the turns so far (the last one marked unfinished).
            files.write_all(convo.records)
            print(f"transcript: {files.jsonl_path} and {files.text_path} ({files.written} turns)")
