"""A tool call the NEW connection issues while it is being set up belongs to the new connection.

The service may send a ``toolCall`` right behind ``setupComplete`` (a resumed session whose model
was about to call a function, or a fresh one answering the replayed question at once), in the same
read as ``setupComplete`` or before the client has written its replay. Such a call must be
delivered and its answer sent; only the LOST session's calls are cancelled and their answers
withheld from the new session. Played by the scripted raw peer, which sends those frames in the
same write as ``setupComplete``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gemini_live import (
    Event,
    ExponentialBackoff,
    FunctionResponse,
    InputDropped,
    LiveConfig,
    Phase,
    Resumed,
    Session,
    SessionResumptionConfig,
    ToolCall,
    ToolCallCancellation,
)
from gemini_live.tools import Toolbox
from tests.client.rawpeer import RawPeer, connect, read_for, read_until

CONFIG = LiveConfig(session_resumption=SessionResumptionConfig())


def _fast() -> ExponentialBackoff:
    """A quick retry (a policy keeps state: one per session)."""
    return ExponentialBackoff(initial_delay=0.01, jitter="none")


def _call(call_id: str, city: str = "Paris") -> dict[str, Any]:
    return {
        "toolCall": {"functionCalls": [{"id": call_id, "name": "weather", "args": {"city": city}}]}
    }


def _handle(handle: str) -> dict[str, Any]:
    return {"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}}


def _answers(peer: RawPeer, number: int) -> list[dict[str, Any]]:
    """Every functionResponse written on connection ``number``, in order."""
    return [
        response
        for message in peer.messages.get(number, [])
        for response in message.get("toolResponse", {}).get("functionResponses", ())
    ]


def _answer(call: ToolCall, label: str) -> list[FunctionResponse]:
    return [FunctionResponse(c.name, {"output": label}, id=c.id) for c in call.calls]


async def _lose_first_connection(
    peer: RawPeer,
    session: Session,
    events: Any,
    *,
    handle_before_call: bool,
    new_call_id: str,
    answer: bool = True,
    wait_answer: bool | None = None,
) -> list[Event]:
    """Connection 1 issues ``call-1`` (after a resumable handle, if asked), gets its answer if
    ``answer`` (never confirmed) and drops; connection 2 sends ``new_call_id`` together with its
    ``setupComplete``. Returns the events up to Resumed and the new connection's call."""
    if handle_before_call:
        await peer.send(1, _handle("h1"))
    await peer.send(1, _call("call-1"))
    (lost,) = [e for e in await read_until(events, ToolCall) if isinstance(e, ToolCall)]
    if answer:
        await session.send_tool_response(_answer(lost, "old"))
    if answer if wait_answer is None else wait_answer:
        await peer.wait_messages(1, 1)
    peer.after_setup = [_call(new_call_id, "Rome")]
    peer.abort(1)
    seen: list[Event] = []
    for _ in range(2):  # until both Resumed and the new call arrived, whatever their order
        seen += await read_until(
            events,
            lambda e: (
                isinstance(e, Resumed)
                or (isinstance(e, ToolCall) and e.calls[0].args == {"city": "Rome"})
            ),
        )
    return seen


@pytest.mark.parametrize("answered", [True, False], ids=["lost-call-answered", "lost-call-open"])
@pytest.mark.parametrize(
    ("handle_before_call", "new_call_id"),
    [(False, "call-2"), (False, "call-1"), (True, "call-2"), (True, "call-1")],
    ids=["fresh", "fresh-reused-id", "older-checkpoint", "older-checkpoint-reused-id"],
)
async def test_a_call_sent_with_setup_complete_is_answered_on_the_new_connection(
    handle_before_call: bool, new_call_id: str, answered: bool
) -> None:
    async with RawPeer() as peer, connect(peer.base_url, CONFIG, retry_policy=_fast()) as session:
        events = session.events()
        seen = await _lose_first_connection(
            peer,
            session,
            events,
            handle_before_call=handle_before_call,
            new_call_id=new_call_id,
            answer=answered,
        )
        (resumed,) = [e for e in seen if isinstance(e, Resumed)]
        assert resumed.fresh_session is not handle_before_call
        # How the session came back is announced before anything the new connection issued, so
        # that whoever drops the lost session's calls on Resumed never drops the new one.
        new_call = seen[-1]
        assert isinstance(new_call, ToolCall) and new_call.calls[0].id == new_call_id
        cancelled = [e.ids for e in seen if isinstance(e, ToolCallCancellation)]
        # Only a lost call still open is cancelled, and only for a fresh session (a resumed
        # one may issue it again from the replayed input): never the new connection's call.
        assert cancelled == ([("call-1",)] if not answered and not handle_before_call else [])
        assert session.phase is Phase.TOOL_CALL_PENDING

        await session.send_tool_response(_answer(new_call, "new"))
        await peer.wait_messages(2, 1)
        tail = await read_for(events, 0.2)
        # The new call's answer went out, exactly once; the lost call's unconfirmed answer was
        # not replayed into the new session (dropped and announced).
        assert _answers(peer, 2) == [
            {"name": "weather", "response": {"output": "new"}, "id": new_call_id}
        ]
        assert not [e for e in tail if isinstance(e, ToolCallCancellation | InputDropped)]
        assert session.phase is Phase.ACTIVE  # the only open call is answered
        dropped = [(e.kind, e.count) for e in seen if isinstance(e, InputDropped)]
        assert dropped == ([("tool_response", 1)] if answered else [])
        assert session.statistics().dropped_lost_answers == int(answered)


@pytest.mark.parametrize("lost_running", [False, True], ids=["lost-answered", "lost-running"])
@pytest.mark.parametrize("new_call_id", ["call-2", "call-1"])
@pytest.mark.parametrize("handle_before_call", [False, True], ids=["fresh", "older-checkpoint"])
async def test_toolbox_answers_a_call_sent_with_setup_complete_exactly_once(
    new_call_id: str, lost_running: bool, handle_before_call: bool
) -> None:
    tools = Toolbox()
    ran: list[str] = []
    never = asyncio.Event()

    @tools.function
    async def weather(city: str) -> str:
        """The weather in a city."""
        ran.append(city)
        if city == "Paris" and lost_running:
            await never.wait()  # still running when its connection is lost
        return f"sunny in {city}"

    async with RawPeer() as peer, connect(peer.base_url, CONFIG, retry_policy=_fast()) as session:
        events = session.events()
        async with tools.serve(session):
            seen = await _lose_first_connection(
                peer,
                session,
                events,
                handle_before_call=handle_before_call,
                new_call_id=new_call_id,
                answer=False,
                wait_answer=not lost_running,
            )
            (resumed,) = [e for e in seen if isinstance(e, Resumed)]
            assert resumed.fresh_session is not handle_before_call
            await peer.wait_messages(2, 1)
            await read_for(events, 0.2)  # a second answer would be written by now
    assert _answers(peer, 2) == [
        {"name": "weather", "response": {"output": "sunny in Rome"}, "id": new_call_id}
    ]
    assert _answers(peer, 1) == (
        []
        if lost_running
        else [{"name": "weather", "response": {"output": "sunny in Paris"}, "id": "call-1"}]
    )
    assert ran == ["Paris", "Rome"]
