"""The asyncio driver: ends with the stream, survives a broken session, bounded consumers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from gemini_live import SessionBroken, TextDelta, TurnComplete
from gemini_live.conversation import Conversation, TurnRecord
from gemini_live.protocol import events as ev
from gemini_live.testing import Emulator, Fault
from tests.conversation.helpers import connect_to


class Recorded:
    """A read-only event source replaying a list of events (e.g. loaded from a log)."""

    def __init__(self, events: list[ev.Event]) -> None:
        self._events = events

    def events(self) -> AsyncIterator[ev.Event]:
        async def stream() -> AsyncIterator[ev.Event]:
            for event in self._events:
                yield event

        return stream()


async def test_a_recorded_stream_gives_records_and_ends_the_consumers() -> None:
    script: list[ev.Event] = []
    for i in range(5):
        script += [TextDelta(f"answer {i}"), TurnComplete()]
    convo = Conversation(Recorded(script), late_transcription_grace=0, max_queue=2)
    notices = convo.events()
    async with asyncio.timeout(5):
        await convo.run()
        seen = [n async for n in notices]
    assert [r.model.text for r in convo.records] == [f"answer {i}" for i in range(5)]
    # The consumer's queue holds 2: the oldest notices were dropped (and counted), never
    # the records themselves.
    assert [n.index for n in seen if isinstance(n, TurnRecord)] == [4, 5]
    assert notices.dropped == 3
    assert convo.finished and convo.error is None


async def test_a_broken_session_finishes_the_records_without_cancelling_the_caller() -> None:
    async with Emulator(text_pace=0.05) as emu:
        emu.inject(Fault.close(1007, "Request contains an invalid argument.", at="mid_turn"))
        async with connect_to(emu) as session, Conversation(session) as convo:
            notices = convo.events()
            await convo.writer().send_text("say one two three four five")
            async with asyncio.timeout(5):
                seen = [n async for n in notices]

    assert isinstance(convo.error, SessionBroken)
    (record,) = seen
    assert isinstance(record, TurnRecord)
    assert record.turn_complete_reason == "session_ended"
    assert record.user.text == "say one two three four five"
    assert record.model.text == "one"  # what had arrived when the service closed
