"""A frame's events reach each consumer in one step (``EventQueue.push_all``), with the same
overflow rules as one event at a time."""

from __future__ import annotations

import asyncio

from gemini_live import TextDelta
from gemini_live.client.fanout import EventHub


async def test_a_batch_that_fits_wakes_the_waiting_consumer_once_with_all_of_it() -> None:
    hub = EventHub(loop=asyncio.get_running_loop())
    sub = hub.subscribe(max_queue=3)
    woken: list[int] = []

    async def consume() -> None:
        async for _event in sub:
            woken.append(sub.pending())  # what was already queued when it ran

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)  # the consumer now waits
    hub.publish_all([TextDelta("a"), TextDelta("b"), TextDelta("c")])  # exactly max_queue
    hub.close()
    async with asyncio.timeout(1):
        await task
    assert woken == [2, 1, 0]  # all three were there at the first wake-up


async def test_a_batch_over_a_drop_oldest_queue_keeps_the_newest_and_counts() -> None:
    hub = EventHub()
    sub = hub.subscribe(max_queue=2, overflow="drop_oldest")
    hub.publish_all([TextDelta("0")])
    hub.publish_all([TextDelta(str(i)) for i in range(1, 5)])
    hub.close()
    assert [e async for e in sub] == [TextDelta("3"), TextDelta("4")]
    assert hub.statistics().dropped_events == 3
