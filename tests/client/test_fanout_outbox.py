"""Fan-out overflow policies and the outbox's fair, cancellation-safe backpressure."""

from __future__ import annotations

import asyncio

import pytest

from gemini_live import SubscriberOverflow, TextDelta
from gemini_live.client.fanout import EventHub, FanoutStatistics
from gemini_live.client.outbox import Outbox, PendingFrame


async def test_every_subscriber_gets_every_event_then_the_end() -> None:
    hub = EventHub()
    a, b = hub.subscribe(), hub.subscribe()
    for i in range(5):
        hub.publish(TextDelta(str(i)))
    hub.close()
    assert [e async for e in a] == [e async for e in b] == [TextDelta(str(i)) for i in range(5)]
    assert hub.statistics().published == 5


async def test_overflow_error_detaches_only_the_slow_consumer() -> None:
    hub = EventHub()
    slow, fast = hub.subscribe(max_queue=3), hub.subscribe(max_queue=100)
    for i in range(5):
        hub.publish(TextDelta(str(i)))
    got = []
    with pytest.raises(SubscriberOverflow):
        async for event in slow:
            got.append(event)
    assert got == [TextDelta("0"), TextDelta("1"), TextDelta("2")]
    assert fast.pending() == 5
    assert hub.statistics().overflowed_subscribers == 1


async def test_overflow_drop_oldest_keeps_recent_and_counts() -> None:
    hub = EventHub()
    sub = hub.subscribe(max_queue=2, overflow="drop_oldest")
    for i in range(5):
        hub.publish(TextDelta(str(i)))
    hub.close()
    assert [e async for e in sub] == [TextDelta("3"), TextDelta("4")]
    assert hub.statistics().dropped_events == 3


async def test_publish_all_overflows_a_queue_mid_batch_and_trims_the_backlog() -> None:
    hub = EventHub(backlog=2)
    hub.keep_backlog()
    hub.publish_all([TextDelta("a"), TextDelta("b"), TextDelta("c")])
    first = hub.subscribe(max_queue=3)
    assert [first.pending(), hub.statistics().dropped_events] == [2, 1]
    second = hub.subscribe(max_queue=100)
    hub.publish_all([TextDelta(str(i)) for i in range(3)])
    got = []
    with pytest.raises(SubscriberOverflow):
        async for event in first:
            got.append(event)
    assert got == [TextDelta("b"), TextDelta("c"), TextDelta("0")]
    assert second.pending() == 3
    assert hub.statistics() == FanoutStatistics(6, 1, 1, 1)


async def test_drop_counts_survive_unsubscribe_and_close() -> None:
    hub = EventHub()
    left = hub.subscribe(max_queue=1, overflow="drop_oldest")
    stays = hub.subscribe(max_queue=1, overflow="drop_oldest")
    for i in range(3):
        hub.publish(TextDelta(str(i)))
    await left.aclose()
    assert hub.statistics().dropped_events == 4
    assert hub.subscriber_count == 1
    hub.publish(TextDelta("3"))
    hub.close()
    assert hub.statistics() == FanoutStatistics(4, 0, 0, 5)
    assert [e async for e in stays] == [TextDelta("3")]


async def test_events_published_while_the_consumer_waits_all_arrive_in_order() -> None:
    hub = EventHub(loop=asyncio.get_running_loop())
    sub = hub.subscribe()
    got: list[object] = []

    async def consume() -> None:
        async for event in sub:
            got.append(event)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)  # the consumer now waits
    for i in range(3):
        hub.publish(TextDelta(str(i)))
    hub.close()
    async with asyncio.timeout(1):
        await task
    assert got == [TextDelta(str(i)) for i in range(3)]


async def test_close_with_error_raises_after_queued_events() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    hub.publish(TextDelta("last"))
    hub.close(RuntimeError("broke"))
    assert await sub.__anext__() == TextDelta("last")
    with pytest.raises(RuntimeError, match="broke"):
        await sub.__anext__()
    late = hub.subscribe()
    with pytest.raises(RuntimeError):
        await late.__anext__()


def _frame(i: int) -> PendingFrame:
    return PendingFrame("text", str(i), 0.0)


async def test_outbox_waiters_are_served_in_arrival_order() -> None:
    box = Outbox(capacity=1)
    assert box.put_nowait(_frame(0))
    order: list[int] = []

    async def put(i: int) -> None:
        await box.put(_frame(i))
        order.append(i)

    tasks = [asyncio.create_task(put(i)) for i in (1, 2, 3)]
    await asyncio.sleep(0)
    assert not box.put_nowait(_frame(99))  # nobody may overtake the waiters
    taken = []
    for _ in range(4):
        for _spin in range(10):  # let the woken waiter run and append
            if box:
                break
            await asyncio.sleep(0)
        taken.append(int(box.popleft().frame))
    await asyncio.gather(*tasks)
    assert taken == [0, 1, 2, 3] and order == [1, 2, 3]


async def test_outbox_cancelled_waiter_passes_its_slot_on() -> None:
    box = Outbox(capacity=1)
    box.put_nowait(_frame(0))
    first = asyncio.create_task(box.put(_frame(1)))
    second = asyncio.create_task(box.put(_frame(2)))
    await asyncio.sleep(0)
    box.popleft()  # grants the slot to `first`...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    async with asyncio.timeout(1):
        await second
    assert [box.popleft().frame] == ["2"]


async def test_outbox_fail_rejects_waiters_and_later_puts() -> None:
    box = Outbox(capacity=1)
    box.put_nowait(_frame(0))
    waiter = asyncio.create_task(box.put(_frame(1)))
    await asyncio.sleep(0)
    box.fail(ConnectionError("gone"))
    with pytest.raises(ConnectionError):
        await waiter
    with pytest.raises(ConnectionError):
        box.put_nowait(_frame(2))


async def test_the_first_subscriber_gets_the_backlog_and_only_it() -> None:
    hub = EventHub(backlog=3)
    hub.publish(TextDelta("before keep_backlog"))  # nobody could subscribe yet: not kept
    hub.keep_backlog()
    for n in range(5):
        hub.publish(TextDelta(str(n)))
    first = hub.subscribe(max_queue=10)
    second = hub.subscribe(max_queue=10)
    hub.publish(TextDelta("live"))
    hub.close()
    assert [e.text async for e in first] == ["2", "3", "4", "live"]  # bounded: oldest dropped
    assert [e.text async for e in second] == ["live"]
    assert hub.statistics().dropped_events == 2


async def test_a_subscription_refuses_another_event_loop() -> None:
    hub = EventHub(loop=asyncio.get_running_loop())
    events = hub.subscribe(max_queue=4)

    async def other_loop() -> object:
        return await anext(events)

    with pytest.raises(RuntimeError, match="another event loop"):
        await asyncio.wait_for(asyncio.to_thread(asyncio.run, other_loop()), 5)
