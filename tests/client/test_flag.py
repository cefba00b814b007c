"""The driver's ``Flag``: the ``asyncio.Event`` behaviour the session relies on."""

from __future__ import annotations

import asyncio

import pytest

from gemini_live.client._flag import Flag


async def test_set_wakes_every_waiter_and_later_waits_return_at_once() -> None:
    flag = Flag()
    assert not flag.is_set()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    flag.set()  # idempotent
    async with asyncio.timeout(1):
        assert await asyncio.gather(*waiters) == [True, True, True]
    async with asyncio.timeout(1):
        assert await flag.wait() is True
    assert flag.is_set()


async def test_set_then_clear_still_wakes_the_tasks_already_waiting() -> None:
    flag = Flag()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    flag.set()
    flag.clear()
    async with asyncio.timeout(1):
        assert await waiter is True
    later = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    assert not later.done()  # cleared: a new wait waits again
    flag.set()
    async with asyncio.timeout(1):
        assert await later is True


async def test_a_cancelled_wait_leaves_the_other_waiters_intact() -> None:
    flag = Flag()
    first = asyncio.ensure_future(flag.wait())
    second = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    assert first.cancelled()
    flag.set()
    async with asyncio.timeout(1):
        assert await second is True


async def test_a_wait_bounded_by_a_timeout_gives_up_cleanly() -> None:
    flag = Flag()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await flag.wait()
    flag.set()
    async with asyncio.timeout(1):
        assert await flag.wait() is True
