"""Turn records from a recorded session: the emulator's JSONL recording (``record_to=``).

The recording holds every frame in both directions with its time; the same
:class:`~.tracker.ConversationTracker` that follows a live session reads it back: server frames
through the session's own decoder, client frames as the writer calls that sent them. So a
conversation recorded once (in CI, or from a bug report) can be measured again offline::

    tracker = replay_recording("session.jsonl")
    for record in tracker.records:
        print(record.lines(), record.latency.first_output)

Times are the recording's: seconds from the first connection's opening. A recording's
connections are taken as one session resumed connection after connection (what a client that
reconnects produces); between two connections a ``Disconnected`` and a ``Resumed`` are
inferred, so reconnections are counted. Frames that cannot be read are skipped.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from typing import Any

import orjson

from gemini_live.client.writer import RecordedCall
from gemini_live.conversation.policies import ContextPolicy, StallPolicy
from gemini_live.conversation.tracker import ConversationTracker
from gemini_live.errors import ClosedBy
from gemini_live.protocol import events as ev
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.types import coerce_function_responses

__all__ = ["recording_items", "replay_recording"]

Item = tuple[float, ev.Event | RecordedCall]

_REALTIME_CALLS = {
    "audioStreamEnd": "send_audio_stream_end",
    "activityStart": "signal_activity_start",
    "activityEnd": "signal_activity_end",
}


def _client_call(message: dict[str, Any]) -> RecordedCall | None:
    """The writer call that sent ``message`` (None for setup and messages it does not time)."""
    realtime = message.get("realtimeInput") or message.get("realtime_input")
    if isinstance(realtime, dict):
        if "audio" in realtime:
            return RecordedCall("send_audio")
        if isinstance(realtime.get("text"), str):
            return RecordedCall("send_text", (realtime["text"],))
        for key, method in _REALTIME_CALLS.items():
            if key in realtime:
                return RecordedCall(method)
        return None
    content = message.get("clientContent") or message.get("client_content")
    if isinstance(content, dict):
        turns = tuple(t for t in content.get("turns", ()) if isinstance(t, dict))
        complete = bool(content.get("turnComplete", content.get("turn_complete", False)))
        return RecordedCall("send_client_content", (turns,), {"turn_complete": complete})
    response = message.get("toolResponse") or message.get("tool_response")
    if isinstance(response, dict):
        raw = response.get("functionResponses", response.get("function_responses", ()))
        try:
            return RecordedCall("send_tool_response", (coerce_function_responses(raw),))
        except (TypeError, ValueError):
            return None
    return None


def _setup_handle(message: dict[str, Any]) -> str | None:
    setup = message.get("setup")
    if not isinstance(setup, dict):
        return None
    resumption = setup.get("sessionResumption") or setup.get("session_resumption")
    handle = resumption.get("handle") if isinstance(resumption, dict) else None
    return handle if isinstance(handle, str) and handle else None


def recording_items(path: str | os.PathLike[str]) -> Iterator[Item]:
    """``(time, event or writer call)`` pairs of a recording, in order (see the module doc).

    On a resumed connection the client first replays what the service had not confirmed; those
    frames are not new input: they are recognised (same frames as the ones sent after the last
    resumable ``sessionResumptionUpdate``), skipped, and counted in the inferred ``Resumed``.
    """
    offset = 0.0  # time of the current connection's opening, on the recording's clock
    last = 0.0
    connection: int | None = None
    first: int | None = None  # the first connection resumes nothing
    closed: ev.Disconnected | None = None
    unconfirmed: list[str | bytes] = []  # client frames sent since the last resumable update
    replay: list[str | bytes] = []  # the frames a resumed connection is expected to replay
    resume: ev.Resumed | None = None  # inferred, announced once the replay is over
    with open(path, "rb") as lines:
        for line in lines:
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(entry, dict):
                continue
            conn = entry.get("conn")
            if conn != connection:
                if connection is not None:
                    closed = closed or ev.Disconnected(None, "", "network")
                    yield (
                        last,
                        ev.Disconnected(
                            closed.code, closed.reason, closed.closed_by, will_reconnect=True
                        ),
                    )
                    offset = last
                    replay, unconfirmed = unconfirmed, []
                connection, closed = conn, None
                if first is None:
                    first = conn
            now = offset + float(entry.get("t", 0.0))
            last = max(last, now)
            event = entry.get("event")
            if event in ("close", "abort"):
                by: ClosedBy = "server" if entry.get("by") == "server" else "client"
                closed = ev.Disconnected(entry.get("code"), entry.get("reason", ""), by)
                continue
            if "text" in entry:
                data: str | bytes = entry["text"]
            elif "binary" in entry:
                data = base64.b64decode(entry["binary"])
            else:
                continue
            if entry.get("dir") == "s2c":
                for decoded in decode_events(data):
                    if isinstance(decoded, ev.ResumptionUpdate) and decoded.resumable:
                        unconfirmed.clear()
                    if resume is not None and not isinstance(decoded, ev.SetupComplete):
                        yield now, resume
                        resume, replay = None, []
                    yield now, decoded
                continue
            try:
                message = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(message, dict):
                continue
            if "setup" in message:
                if conn != first:
                    resume = ev.Resumed(_setup_handle(message), 0, 0)
                continue
            if resume is not None and replay and replay[0] == data:
                replay.pop(0)
                resume = ev.Resumed(resume.handle_used, resume.replayed_count + 1, 0)
                unconfirmed.append(data)
                continue
            if resume is not None:
                yield now, resume
                resume, replay = None, []
            unconfirmed.append(data)
            call = _client_call(message)
            if call is not None:
                yield now, call
    if resume is not None:
        yield last, resume
    if connection is not None:
        closed = closed or ev.Disconnected(None, "", "client")
        yield last, closed


def replay_recording(
    path: str | os.PathLike[str],
    *,
    late_transcription_grace: float = 0.5,
    stall: StallPolicy | None = None,
    context: ContextPolicy | None = ContextPolicy(),  # noqa: B008 - frozen value object
) -> ConversationTracker:
    """Feed a recording to a new tracker and close it; read ``.records`` and ``.metrics()``."""
    tracker = ConversationTracker(
        late_transcription_grace=late_transcription_grace, stall=stall, context=context
    )
    now = 0.0
    for now, item in recording_items(path):
        tracker.tick(now)
        if isinstance(item, RecordedCall):
            tracker.feed_call(item, now)
        else:
            tracker.feed(item, now)
    tracker.close(now)
    return tracker
