"""The runner against a hand-fed event stream and a RecordingWriter: every outcome, exactly once."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import threading
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest

from gemini_live import (
    Disconnected,
    FunctionResponse,
    Platform,
    RecordingWriter,
    Resumed,
    ResumptionUpdate,
    SessionBroken,
    ToolCallCancellation,
)
from gemini_live.tools import (
    Toolbox,
    ToolCallCancelled,
    ToolCallFailed,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallStarted,
    ToolCallTimedOut,
    ToolError,
    ToolEvent,
    ToolResult,
)
from tests.tools import test_declarations as declarations
from tests.tools.feed import Feed, by_id, responses, wait_for


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Box:
    width: int
    color: Color = Color.RED


def make_box() -> Toolbox:
    tools = Toolbox(deadline=0.5)

    @tools.function
    async def add(a: int, b: int = 1) -> int:
        return a + b

    @tools.function
    def shout(text: str) -> str:
        """A sync function: runs in the thread pool."""
        return text.upper() + "!" + threading.current_thread().name[:16]

    @tools.function
    async def boom(why: str) -> None:
        raise ValueError(why)

    @tools.function
    async def refuse() -> None:
        raise ToolError("try another city")

    @tools.function(deadline=0.05)
    async def hang() -> None:
        await asyncio.sleep(10)

    @tools.function
    async def weird() -> object:
        return object()

    @tools.function
    async def paint(box: Box, colors: list[Color], mode: Literal["a", "b"] = "a") -> dict[str, Any]:
        assert isinstance(box, Box) and isinstance(box.color, Color)
        assert all(isinstance(c, Color) for c in colors)
        return {"box": box, "colors": colors, "mode": mode}

    return tools


async def run(tools: Toolbox, feed: Feed, writer: RecordingWriter, **kw: Any) -> Any:
    return tools.serve(events=feed, writer=writer, **kw)


async def test_results_errors_and_rejections_each_answered_once() -> None:
    tools, feed, writer = make_box(), Feed(), RecordingWriter()
    seen: list[ToolEvent] = []
    async with tools.serve(events=feed, writer=writer, on_event=seen.append) as runner:
        feed.calls(
            ("1", "add", {"a": 2}),
            ("2", "shout", {"text": "hi"}),
            ("3", "boom", {"why": "no luck"}),
            ("4", "refuse", {}),
            ("5", "hang", {}),
            ("6", "weird", {}),
            ("7", "nope", {}),
            ("8", "add", {"b": 2}),
            ("9", "add", {"a": "x", "c": 1}),
            ("10", "paint", {"box": {"width": 2, "color": "blue"}, "colors": ["red"]}),
            ("11", "paint", {"box": {"width": 2, "color": "green"}, "colors": []}),
        )
        await wait_for(lambda: len(responses(writer)) == 11)
        stats = runner.statistics()
    got = {k: v[0].response for k, v in by_id(writer).items()}
    assert all(len(v) == 1 for v in by_id(writer).values())
    assert got["1"] == {"output": 3}
    assert got["2"]["output"].startswith("HI!gemini-live-tool")
    assert got["3"] == {"error": {"type": "ValueError", "message": "no luck"}}
    assert got["4"] == {"error": {"type": "ToolError", "message": "try another city"}}
    assert got["5"] == {
        "error": {"type": "Timeout", "message": "hang did not finish within 0.05 s"}
    }
    assert got["6"]["error"]["type"] == "InvalidResult"
    assert got["7"] == {
        "error": {"type": "UnknownFunction", "message": "there is no function named 'nope'"}
    }
    assert got["8"] == {
        "error": {"type": "InvalidArguments", "message": "missing required argument 'a'"}
    }
    assert got["9"]["error"]["message"] == (
        "a: expected integer, got string; unexpected argument 'c' (expected: 'a', 'b')"
    )
    assert got["10"] == {
        "output": {"box": {"width": 2, "color": "blue"}, "colors": ["red"], "mode": "a"}
    }
    assert "'green' is not one of 'red', 'blue'" in got["11"]["error"]["message"]
    assert all(r.name for r in responses(writer))
    assert (stats.calls, stats.succeeded, stats.failed, stats.timed_out, stats.rejected) == (
        11, 3, 3, 1, 4,
    )  # fmt: skip
    assert stats.responses_sent == 11 and stats.running == 0
    kinds = {type(e) for e in seen}
    assert kinds == {
        ToolCallStarted, ToolCallFinished, ToolCallFailed, ToolCallTimedOut, ToolCallRejected,
    }  # fmt: skip
    assert feed.closed  # leaving serve() unsubscribed


async def test_cancellation_cancels_the_task_and_sends_nothing() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    started, saw_cancel = asyncio.Event(), asyncio.Event()
    release = asyncio.Event()

    @tools.function
    async def slow() -> str:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            saw_cancel.set()
            raise
        return "late"

    @tools.function
    async def quick() -> str:
        await release.wait()
        return "done"

    seen: list[ToolEvent] = []
    async with tools.serve(events=feed, writer=writer, on_event=seen.append) as runner:
        feed.calls(("a", "slow", {}), ("b", "quick", {}))
        async with asyncio.timeout(1):
            await started.wait()
        feed.push(ToolCallCancellation(("a", "unknown-id")))
        async with asyncio.timeout(1):
            await saw_cancel.wait()
        release.set()
        await wait_for(lambda: len(responses(writer)) == 1)
        assert runner.statistics().cancelled == 1
    assert [r.id for r in responses(writer)] == ["b"]
    cancelled = [e for e in seen if isinstance(e, ToolCallCancelled)]
    assert [(e.call_id, e.reason) for e in cancelled] == [("a", "service")]


async def test_a_finished_answer_not_yet_sent_is_withdrawn_on_cancellation() -> None:
    tools, feed = Toolbox(), Feed()
    gate = asyncio.Event()

    class SlowWriter(RecordingWriter):
        async def send_tool_response(self, responses: Any) -> None:
            await gate.wait()  # the first message is stuck: later answers wait in the runner
            await super().send_tool_response(responses)

    writer = SlowWriter()

    @tools.function
    async def f(n: int) -> int:
        return n

    async with tools.serve(events=feed, writer=writer):
        feed.calls(("1", "f", {"n": 1}))
        await asyncio.sleep(0.02)
        feed.calls(("2", "f", {"n": 2}), ("3", "f", {"n": 3}))
        await asyncio.sleep(0.02)
        feed.push(ToolCallCancellation(("2",)))
        await asyncio.sleep(0.02)
        gate.set()
        await wait_for(lambda: len(responses(writer)) == 2)
    assert [r.id for r in responses(writer)] == ["1", "3"]
    # "3" was ready while "1" was being written: they did not share the stuck message.
    assert len(writer.calls) == 2


async def test_duplicate_id_runs_once_and_is_answered_once() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    runs = 0

    @tools.function
    async def count() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        return runs

    seen: list[ToolEvent] = []
    async with tools.serve(events=feed, writer=writer, on_event=seen.append) as runner:
        feed.calls(("x", "count", {}), ("x", "count", {}))
        feed.calls(("x", "count", {}))
        await wait_for(lambda: runner.statistics().duplicates == 2 and responses(writer))
        await asyncio.sleep(0.03)
    assert runs == 1
    assert [r.id for r in responses(writer)] == ["x"]
    assert [e.reason for e in seen if isinstance(e, ToolCallRejected)] == ["duplicate_id"] * 2


async def test_fresh_session_cancels_old_calls_and_forgets_their_ids() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    cancelled = asyncio.Event()

    @tools.function
    async def work(n: int) -> int:
        if n == 1:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.set()
                raise
        return n

    seen: list[ToolEvent] = []
    async with tools.serve(events=feed, writer=writer, on_event=seen.append):
        feed.calls(("fc-1", "work", {"n": 1}))
        await asyncio.sleep(0.01)
        feed.push(Resumed(handle_used=None, replayed_count=1, dropped_count=0, fresh_session=True))
        async with asyncio.timeout(1):
            await cancelled.wait()
        feed.calls(("fc-1", "work", {"n": 2}))  # the new session reuses the id
        await wait_for(lambda: len(responses(writer)) == 1)
    assert [(r.id, r.response) for r in responses(writer)] == [("fc-1", {"output": 2})]
    reasons = [e.reason for e in seen if isinstance(e, ToolCallCancelled)]
    assert reasons == ["fresh_session"]


async def test_resumed_session_keeps_calls_running() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    gate = asyncio.Event()

    @tools.function
    async def work() -> str:
        await gate.wait()
        return "ok"

    async with tools.serve(events=feed, writer=writer):
        feed.calls(("fc-1", "work", {}))
        await asyncio.sleep(0.01)
        feed.push(Resumed(handle_used="h", replayed_count=0, dropped_count=0))
        await asyncio.sleep(0.01)
        gate.set()
        await wait_for(lambda: len(responses(writer)) == 1)
    assert responses(writer)[0].response == {"output": "ok"}


async def test_leaving_serve_cancels_and_answers_running_calls_bounded() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    cancelled = asyncio.Event()

    @tools.function
    async def forever() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    @tools.function
    async def stubborn() -> None:
        # Swallows cancellation for a while: leaving serve() must not wait for it to give up
        # (1 s, well past the 0.6 s bound below; the loop's teardown then waits it out).
        loop = asyncio.get_running_loop()
        until = loop.time() + 1.0
        while loop.time() < until:
            try:
                await asyncio.sleep(until - loop.time())
            except asyncio.CancelledError:
                pass

    loop = asyncio.get_running_loop()
    async with tools.serve(events=feed, writer=writer, shutdown_timeout=0.2) as runner:
        feed.calls(("1", "forever", {}), ("2", "stubborn", {}))
        await wait_for(lambda: runner.statistics().running == 2)
        leaving = loop.time()
    assert loop.time() - leaving < 0.6
    assert cancelled.is_set()
    got = by_id(writer)
    assert got["1"][0].response["error"]["type"] == "Cancelled"
    assert got["2"][0].response["error"]["type"] == "Cancelled"


async def test_answer_on_exit_false_sends_nothing_for_cancelled_calls() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def forever() -> None:
        await asyncio.sleep(10)

    async with tools.serve(events=feed, writer=writer, answer_on_exit=False) as runner:
        feed.calls(("1", "forever", {}))
        await wait_for(lambda: runner.statistics().running == 1)
    assert responses(writer) == []


async def test_stream_end_and_stream_error_cancel_without_answers() -> None:
    for ending in ("end", "error"):
        tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

        @tools.function
        async def forever() -> None:
            await asyncio.sleep(10)

        seen: list[ToolEvent] = []
        async with tools.serve(events=feed, writer=writer, on_event=seen.append) as runner:
            feed.calls(("1", "forever", {}))
            await wait_for(lambda: runner.statistics().running == 1)
            if ending == "end":
                feed.end()
            else:
                feed.fail(SessionBroken("gone", code=1011, reason="x", closed_by="server"))
            async with asyncio.timeout(1):
                await runner.wait()
            await wait_for(lambda: runner.statistics().running == 0)
        assert responses(writer) == []
        assert [e.reason for e in seen if isinstance(e, ToolCallCancelled)] == ["session_ended"]
        assert (runner.error is None) == (ending == "end")


async def test_streaming_generator_sends_will_continue_then_final() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function(scheduling="WHEN_IDLE")
    async def progress(steps: int) -> AsyncIterator[Any]:
        for i in range(steps):
            yield {"step": i}
            await asyncio.sleep(0)
        yield ToolResult({"done": True}, scheduling="INTERRUPT")

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("s", "progress", {"steps": 2}))
        await wait_for(lambda: runner.statistics().responses_sent == 1)
        stats = runner.statistics()
    assert [(r.response, r.will_continue, r.scheduling) for r in responses(writer)] == [
        ({"output": {"step": 0}}, True, "SILENT"),
        ({"output": {"step": 1}}, True, "SILENT"),
        ({"output": {"done": True}}, False, "INTERRUPT"),
    ]
    assert (stats.partial_responses_sent, stats.responses_sent) == (2, 1)


async def test_streaming_generator_failing_midway_ends_with_an_error() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def flaky() -> AsyncIterator[int]:
        yield 1
        yield 2
        raise RuntimeError("lost the feed")

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("s", "flaky", {}))
        await wait_for(lambda: runner.statistics().failed == 1 and len(responses(writer)) == 2)
    assert [(r.response, r.will_continue) for r in responses(writer)] == [
        ({"output": 1}, True),
        ({"error": {"type": "RuntimeError", "message": "lost the feed"}}, False),
    ]


async def test_scheduling_per_tool_and_per_result_and_vertex_strips_it() -> None:
    for platform in (Platform.GOOGLE_AI, Platform.VERTEX):
        tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

        @tools.function(behavior="NON_BLOCKING", scheduling="SILENT")
        async def note() -> str:
            return "noted"

        @tools.function(behavior="NON_BLOCKING")
        async def alarm() -> ToolResult:
            return ToolResult("wake up", scheduling="INTERRUPT")

        @tools.function(behavior="BLOCKING")
        async def block() -> ToolResult:
            return ToolResult("x", scheduling="INTERRUPT")  # BLOCKING: never sent

        @tools.function
        async def gen() -> AsyncIterator[int]:
            yield 1
            yield 2

        async with tools.serve(events=feed, writer=writer, platform=platform) as runner:
            feed.calls(("1", "note", {}), ("2", "alarm", {}), ("3", "block", {}), ("4", "gen", {}))
            await wait_for(lambda: runner.statistics().responses_sent == 4)
        got = {r.id: (r.scheduling, r.will_continue) for r in responses(writer)}
        if platform is Platform.VERTEX:
            assert got == {k: (None, None) for k in "1234"}
            assert by_id(writer)["4"][0].response == {"output": 2}  # only the final result
        else:
            assert got == {"1": ("SILENT", None), "2": ("INTERRUPT", None), "3": (None, None),
                           "4": (None, False)}  # fmt: skip


async def test_concurrency_limit_and_thread_pool() -> None:
    tools = Toolbox(max_concurrent=2, max_threads=2)
    feed, writer = Feed(), RecordingWriter()
    running = peak = 0
    lock = threading.Lock()

    @tools.function
    def blocking_io(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        threading.Event().wait(0.02)
        with lock:
            running -= 1
        return n

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(*[(str(i), "blocking_io", {"n": i}) for i in range(6)])
        await wait_for(lambda: runner.statistics().responses_sent == 6)
    assert peak == 2
    assert sorted(r.response["output"] for r in responses(writer)) == list(range(6))


async def test_a_slow_tool_does_not_block_event_delivery_or_other_tools() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    def stuck() -> None:
        threading.Event().wait(0.3)  # a sync function hogging a thread, not the loop

    @tools.function
    async def fast() -> str:
        return "fast"

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("1", "stuck", {}))
        feed.calls(("2", "fast", {}))
        async with asyncio.timeout(0.2):
            await wait_for(lambda: [r.id for r in responses(writer)] == ["2"])
        assert runner.statistics().running == 1


async def test_calls_without_ids_are_answered_without_ids() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def f() -> int:
        return 1

    async with tools.serve(events=feed, writer=writer, platform=Platform.VERTEX) as runner:
        feed.calls((None, "f", {}), (None, "f", {}))
        await wait_for(lambda: runner.statistics().responses_sent == 2)
    assert [(r.id, r.name) for r in responses(writer)] == [(None, "f"), (None, "f")]


async def test_error_messages_can_be_hidden_except_tool_errors() -> None:
    tools = Toolbox(expose_error_messages=False)
    feed, writer = Feed(), RecordingWriter()

    @tools.function
    async def leak() -> None:
        raise RuntimeError("password=hunter2")

    @tools.function
    async def told() -> None:
        raise ToolError("city not found")

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("1", "leak", {}), ("2", "told", {}))
        await wait_for(lambda: runner.statistics().responses_sent == 2)
    got = by_id(writer)
    assert got["1"][0].response == {
        "error": {"type": "RuntimeError", "message": "the function failed"}
    }
    assert got["2"][0].response["error"]["message"] == "city not found"


async def test_writer_failures_are_counted_and_do_not_stop_the_runner() -> None:
    tools, feed = Toolbox(), Feed()

    class Closed(RecordingWriter):
        async def send_tool_response(self, responses: Any) -> None:
            from gemini_live import SessionClosed

            raise SessionClosed("closed")

    @tools.function
    async def f() -> int:
        return 1

    async with tools.serve(events=feed, writer=Closed()) as runner:
        feed.calls(("1", "f", {}))
        await wait_for(lambda: runner.statistics().send_failures == 1)
        feed.calls(("2", "f", {}))
        await wait_for(lambda: runner.statistics().send_failures == 2)


def test_serve_needs_events_and_writer() -> None:
    with pytest.raises(TypeError, match="events"):
        Toolbox().serve()
    with pytest.raises(TypeError, match="writer"):
        Toolbox().serve(events=Feed())


async def test_on_event_errors_are_contained() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def f() -> int:
        return 1

    def bad(event: ToolEvent) -> None:
        raise RuntimeError("observer bug")

    async with tools.serve(events=feed, writer=writer, on_event=bad) as runner:
        feed.calls(("1", "f", {}))
        await wait_for(lambda: runner.statistics().responses_sent == 1)
    assert responses(writer)[0] == FunctionResponse(name="f", response={"output": 1}, id="1")


async def test_resuming_from_an_older_checkpoint_rolls_back_newer_calls_only() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    gate = asyncio.Event()

    @tools.function
    async def wait(n: int) -> int:
        await gate.wait()
        return n

    seen: list[ToolEvent] = []
    async with tools.serve(events=feed, writer=writer, on_event=seen.append) as runner:
        feed.push(ResumptionUpdate(handle="h1", resumable=True))
        feed.calls(("a", "wait", {"n": 1}))
        feed.push(ResumptionUpdate(handle="h2", resumable=True))
        feed.calls(("b", "wait", {"n": 2}))
        feed.push(ResumptionUpdate(handle="h3", resumable=True))
        feed.calls(("c", "wait", {"n": 3}))
        await wait_for(lambda: runner.statistics().running == 3)
        feed.push(Resumed(handle_used="h3", replayed_count=1, dropped_count=0))
        await wait_for(lambda: runner.statistics().running == 2)
        feed.push(Resumed(handle_used="from-config", replayed_count=0, dropped_count=0))
        feed.calls(("c", "wait", {"n": 4}))  # the restored session may issue "c" again
        await wait_for(lambda: runner.statistics().running == 3)
        gate.set()
        await wait_for(lambda: runner.statistics().responses_sent == 3)
    got = sorted((r.id, r.response["output"]) for r in responses(writer))
    assert got == [("a", 1), ("b", 2), ("c", 4)]
    assert [(e.call_id, e.reason) for e in seen if isinstance(e, ToolCallCancelled)] == [
        ("c", "rolled_back")
    ]


async def test_answers_wait_while_disconnected_then_go_out_or_are_withdrawn() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def f(n: int) -> int:
        return n

    lost = Disconnected(code=1006, reason="", closed_by="network", will_reconnect=True)
    async with tools.serve(events=feed, writer=writer) as runner:
        feed.push(ResumptionUpdate(handle="h1", resumable=True))
        feed.calls(("old", "f", {"n": 1}))
        await wait_for(lambda: runner.statistics().responses_sent == 1)
        feed.push(ResumptionUpdate(handle="h2", resumable=True))
        feed.push(lost)
        feed.calls(("new", "f", {"n": 2}))  # issued after h2, answered while disconnected
        await wait_for(lambda: runner.statistics().succeeded == 2)
        await asyncio.sleep(0.01)
        assert [r.id for r in responses(writer)] == ["old"]  # "new" waits for Resumed
        feed.push(Resumed(handle_used="h2", replayed_count=0, dropped_count=0))
        await wait_for(lambda: runner.statistics().withdrawn == 1)
        feed.push(lost)
        feed.calls(("later", "f", {"n": 3}))
        await wait_for(lambda: runner.statistics().succeeded == 3)
        feed.push(Resumed(handle_used="h2-unknown", replayed_count=0, dropped_count=0))
        await wait_for(lambda: runner.statistics().responses_sent == 2)
    assert [r.id for r in responses(writer)] == ["old", "later"]


async def test_a_disconnect_during_a_write_holds_the_answers_queued_behind_it() -> None:
    tools, feed = Toolbox(), Feed()
    gate = asyncio.Event()

    class SlowWriter(RecordingWriter):
        async def send_tool_response(self, responses: Any) -> None:
            await gate.wait()
            await super().send_tool_response(responses)

    writer = SlowWriter()

    @tools.function
    async def f(n: int) -> int:
        return n

    lost = Disconnected(code=1006, reason="", closed_by="network", will_reconnect=True)
    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("1", "f", {"n": 1}))
        await wait_for(lambda: runner.statistics().succeeded == 1)  # its write is stuck
        feed.push(lost)
        feed.calls(("2", "f", {"n": 2}))
        await wait_for(lambda: runner.statistics().succeeded == 2)
        gate.set()
        await wait_for(lambda: runner.statistics().responses_sent == 1)
        await asyncio.sleep(0.02)
        assert [r.id for r in responses(writer)] == ["1"]  # "2" waits for Resumed
        feed.push(Resumed(handle_used=None, replayed_count=0, dropped_count=0))
        await wait_for(lambda: runner.statistics().responses_sent == 2)
    assert [r.id for r in responses(writer)] == ["1", "2"]


async def test_pydantic_arguments_are_validated_into_models() -> None:
    pydantic = pytest.importorskip("pydantic")
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()

    @tools.function
    async def ship(to: declarations.Address) -> Any:
        assert isinstance(to, pydantic.BaseModel)
        return to  # a model result is sent as JSON

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("1", "ship", {"to": {"street": "Main 1"}}), ("2", "ship", {"to": {}}))
        await wait_for(lambda: runner.statistics().responses_sent == 2)
    got = {r.id: r.response for r in responses(writer)}
    assert got["1"] == {"output": {"street": "Main 1", "zip_code": None}}
    assert got["2"]["error"] == {
        "type": "InvalidArguments",
        "message": "missing required argument 'to.street'",
    }


async def test_nameless_calls_are_skipped_and_a_broken_writer_surfaces_from_exit() -> None:
    tools, feed = Toolbox(), Feed()

    class Broken(RecordingWriter):
        async def send_tool_response(self, responses: Any) -> None:
            raise RuntimeError("writer bug")

    @tools.function
    async def f() -> int:
        return 1

    with pytest.raises(ExceptionGroup) as info:
        async with tools.serve(events=feed, writer=Broken()) as runner:
            feed.calls(("a", "", {}), ("b", "f", {}))
            await wait_for(lambda: runner.statistics().rejected == 1)
            await wait_for(lambda: runner.statistics().succeeded == 1)
            await asyncio.sleep(0.01)
    assert info.group_contains(RuntimeError, match="writer bug")


async def test_deadline_edges_timeout_error_swallowed_cancel_and_early_cancellation() -> None:
    tools, feed, writer = Toolbox(), Feed(), RecordingWriter()
    ran: list[str] = []

    @tools.function
    async def own_timeout() -> None:
        raise TimeoutError("the backend timed out")  # the function's own error, not a deadline

    @tools.function(deadline=0.02)
    async def stubborn() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "kept going"  # swallows the deadline's cancellation: its result stands
        return "slept"

    @tools.function
    async def never() -> None:
        ran.append("never")

    async with tools.serve(events=feed, writer=writer) as runner:
        feed.calls(("1", "own_timeout", {}), ("2", "stubborn", {}))
        # Arrives with its cancellation: the task is cancelled before it runs a step.
        feed.calls(("3", "never", {}))
        feed.push(ToolCallCancellation(ids=("3",)))
        await wait_for(lambda: len(responses(writer)) == 2 and runner.statistics().running == 0)
        stats = runner.statistics()
    got = {k: v[0].response for k, v in by_id(writer).items()}
    assert got == {
        "1": {"error": {"type": "TimeoutError", "message": "the backend timed out"}},
        "2": {"output": "kept going"},
    }
    assert ran == []
    assert (stats.succeeded, stats.failed, stats.timed_out, stats.cancelled) == (1, 1, 0, 1)
