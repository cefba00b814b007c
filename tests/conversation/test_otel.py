"""OpenTelemetry export, checked with the SDK's in-memory exporters against the emulator."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    AudioChunk,
    FunctionDeclaration,
    FunctionResponse,
    LiveConfig,
    ResumptionUpdate,
    Tool,
    ToolCall,
)
from gemini_live.conversation import Conversation
from gemini_live.conversation.otel import OpenTelemetry
from gemini_live.testing import Emulator
from tests.conversation.helpers import (
    AUDIO_CONFIG,
    FAST_RETRY,
    MODEL,
    drop_server_socket,
    next_notice,
    read_until,
)
from tests.docs.zygote import run_source
from tests.lazy import require

# The SDK is imported by the tests that use it, not when each xdist worker collects this module.
require("opentelemetry.sdk")
if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SECRET_KEY = "AIzaSy-TEST-SECRET-KEY-0123456789"
SECRET_MARKERS = (SECRET_KEY, "emh-", "access_token")  # the key, resumption handles


@pytest.fixture
def otel() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader, OpenTelemetry]]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry = OpenTelemetry(
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        attributes={"app.name": "test"},
    )
    yield spans, reader, telemetry
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _metrics(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    out: dict[str, list[Any]] = {}
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            assert scope.scope.name == "gemini_live"
            for metric in scope.metrics:
                out[metric.name] = list(metric.data.data_points)
    return out


def _all_attribute_values(spans: tuple[ReadableSpan, ...], metrics: dict[str, list[Any]]) -> list:
    values: list[Any] = []
    for span in spans:
        values += list((span.attributes or {}).values())
        for event in span.events:
            values += list((event.attributes or {}).values())
    for points in metrics.values():
        for point in points:
            values += list((point.attributes or {}).values())
    return values


async def test_spans_metrics_and_no_secrets(
    otel: tuple[InMemorySpanExporter, InMemoryMetricReader, OpenTelemetry],
) -> None:
    spans, reader, telemetry = otel
    tool = Tool(
        function_declarations=(
            FunctionDeclaration(name="get_weather", description="Weather", behavior="BLOCKING"),
        )
    )
    config = LiveConfig(
        generation_config=AUDIO_CONFIG.generation_config,
        output_audio_transcription=AUDIO_CONFIG.output_audio_transcription,
        tools=(tool,),
    )
    async with (
        Emulator(audio_pace=0.003, resumption_update_every=1) as emu,
        gemini_live.connect(
            MODEL,
            base_url=emu.url,
            credentials=ApiKey(SECRET_KEY),
            config=config,
            options=FAST_RETRY,
        ) as session,
    ):
        events = session.events()
        async with Conversation(session, telemetry=telemetry, late_transcription_grace=0) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text('call get_weather {"city": "Paris"}')
            call = (await read_until(events, ToolCall)).calls[0]
            await writer.send_tool_response(
                [FunctionResponse(call.name, {"output": {"temp_c": 18}}, id=call.id)]
            )
            await next_notice(notices)
            while not (await read_until(events, ResumptionUpdate)).resumable:
                pass
            turn_two = session.events()
            await writer.send_text("say " + " ".join(["again"] * 30))
            await read_until(turn_two, AudioChunk)
            drop_server_socket(emu)
            await next_notice(notices, timeout=10)

    finished = spans.get_finished_spans()
    by_name: dict[str, list[ReadableSpan]] = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    (session_span,) = by_name["gemini_live.session"]
    assert session_span.attributes is not None
    assert session_span.attributes["app.name"] == "test"
    assert session_span.attributes["gemini_live.turns"] == 2
    assert session_span.attributes["gemini_live.reconnects"] == 1

    first, second = sorted(by_name["gemini_live.connection"], key=lambda s: s.start_time or 0)
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["gemini_live.connection.attempt"] == 1
    assert first.attributes["gemini_live.connection.close_code"] == 1006
    assert first.attributes["gemini_live.connection.will_reconnect"] is True
    assert second.attributes["gemini_live.connection.attempt"] == 2
    assert second.attributes["gemini_live.connection.resumed"] is True
    assert second.attributes["gemini_live.connection.fresh_session"] is False
    assert second.attributes["gemini_live.connection.replayed"] >= 1

    turns = sorted(by_name["gemini_live.turn"], key=lambda s: s.start_time or 0)
    assert [t.attributes["gemini_live.turn.index"] for t in turns] == [1, 2]  # type: ignore[index]
    assert turns[1].attributes["gemini_live.turn.reconnects"] == 1  # type: ignore[index]
    assert turns[0].attributes["gemini_live.latency.first_audio"] >= 0  # type: ignore[index]
    assert turns[0].attributes["gemini_live.usage.prompt_tokens"] > 0  # type: ignore[index]
    (tool_span,) = by_name["gemini_live.tool_call"]
    assert tool_span.attributes is not None
    assert tool_span.attributes["gemini_live.tool.name"] == "get_weather"
    assert tool_span.attributes["gemini_live.tool.outcome"] == "answered"
    # Parentage: connections and turns under the session, the tool call under its turn.
    session_id = session_span.context.span_id  # type: ignore[union-attr]
    for child in [first, second, *turns]:
        assert child.parent is not None and child.parent.span_id == session_id
    assert tool_span.parent is not None
    assert tool_span.parent.span_id == turns[0].context.span_id  # type: ignore[union-attr]
    for span in finished:
        assert span.start_time is not None and span.end_time is not None
        assert span.start_time <= span.end_time

    metrics = _metrics(reader)
    assert sum(p.value for p in metrics["gemini_live.reconnects"]) == 1
    assert sum(p.value for p in metrics["gemini_live.frames.sent"]) >= 3
    assert sum(p.value for p in metrics["gemini_live.frames.received"]) > 10
    assert sum(p.value for p in metrics["gemini_live.bytes.sent"]) > 0
    assert sum(p.count for p in metrics["gemini_live.latency.first_audio"]) == 2
    assert sum(p.count for p in metrics["gemini_live.latency.tool_round_trip"]) == 1
    assert sum(p.count for p in metrics["gemini_live.latency.reconnect"]) == 1

    for value in _all_attribute_values(finished, metrics):
        assert not isinstance(value, bytes | bytearray), "audio must never be an attribute"
        text = str(value)
        assert len(text) < 200  # nothing bulky (audio, transcripts) by default
        for marker in SECRET_MARKERS:
            assert marker not in text


def test_importing_the_library_does_not_import_opentelemetry(tmp_path: Path) -> None:
    code = (
        "import sys, gemini_live, gemini_live.conversation, gemini_live.testing\n"
        "loaded = [m for m in sys.modules if m.startswith('opentelemetry')]\n"
        "assert not loaded, loaded\n"
    )
    status, _, err = run_source(code, tmp_path)  # a process of its own, forked
    assert status == 0, err


def test_a_missing_extra_gives_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(ImportError, match=r"gemini-live\[otel\]"):
        OpenTelemetry()


def test_stalls_context_losses_and_opt_in_text(
    otel: tuple[InMemorySpanExporter, InMemoryMetricReader, OpenTelemetry],
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from gemini_live.conversation import ContextLost, Stalled, TurnRecord, Utterance
    from gemini_live.conversation.metrics import MetricsSnapshot

    spans, _reader, _ = otel
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    telemetry = OpenTelemetry(tracer_provider=provider, record_text=True)
    telemetry.started(object(), 100.0)
    telemetry.notice(Stalled("tool_continuation", 100.5, 8.0, "nudge"))
    telemetry.notice(ContextLost(400, 12, "prompt_tokens_collapsed", summary_sent=True))
    record = TurnRecord(1, Utterance("user", "hi", "text"), Utterance("model", "hello"), 100.0, 101)
    telemetry.notice(record)
    telemetry.finished(object(), 110.0, MetricsSnapshot(turns=1, stalls=1, context_losses=1))

    by_name = {span.name: span for span in spans.get_finished_spans()}
    session = by_name["gemini_live.session"]
    events = {event.name: dict(event.attributes or {}) for event in session.events}
    assert events["gemini_live.stalled"]["waiting_for"] == "tool_continuation"
    assert events["gemini_live.stalled"]["action"] == "nudge"
    assert events["gemini_live.context_lost"]["prompt_tokens_after"] == 12
    assert events["gemini_live.context_lost"]["summary_sent"] is True
    turn = by_name["gemini_live.turn"].attributes or {}
    assert (turn["gemini_live.turn.user_text"], turn["gemini_live.turn.model_text"]) == (
        "hi",
        "hello",
    )
    # Ten seconds of session: the monotonic times map onto the wall clock one to one.
    assert session.end_time is not None and session.start_time is not None
    assert session.end_time - session.start_time == 10_000_000_000
    provider.shutdown()
