"""OpenTelemetry export for a :class:`~.monitor.Conversation` (extra ``gemini-live[otel]``).

::

    from gemini_live.conversation import Conversation
    from gemini_live.conversation.otel import OpenTelemetry

    async with Conversation(session, telemetry=OpenTelemetry()) as convo: ...

Only ``opentelemetry-api`` is needed; bring your own SDK and exporters (without an SDK every
call is the API's no-op). Nothing here runs unless you pass ``telemetry=``: the session itself
never calls into this module, and importing :mod:`gemini_live` or
:mod:`gemini_live.conversation` does not import OpenTelemetry.

Spans (times are the events' own, converted from the monotonic clock once per session):

* ``gemini_live.session``: from the start of the conversation to its end.
* ``gemini_live.connection`` (child of the session), one per connection attempt: ``attempt``,
  ``cause`` of the reconnection, ``resumed`` (a handle was used), ``fresh_session``,
  ``replayed``/``dropped`` frames, and at its end ``close_code``, ``close_reason``, ``closed_by``.
* ``gemini_live.turn`` (child of the session), one per :class:`~.records.TurnRecord`:
  index, interruption, latencies (seconds), token usage, sizes of the texts.
* ``gemini_live.tool_call`` (child of its turn): name, id, outcome, round trip.

Metrics: one histogram per latency in :data:`~.metrics.LATENCIES`
(``gemini_live.latency.<name>``, seconds); counters ``gemini_live.frames.sent``,
``gemini_live.frames.received``, ``gemini_live.bytes.sent`` (from the session's
``statistics()`` when it has one), ``gemini_live.reconnects``, ``gemini_live.drops`` (by
``kind``), ``gemini_live.stalls`` and ``gemini_live.context_losses``.

Never recorded: API keys, tokens, resumption handles, audio, tool arguments and results, and
(unless ``record_text=True``) the transcript text itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gemini_live.conversation.metrics import LATENCIES, MetricsSnapshot
from gemini_live.conversation.records import ContextLost, ConversationEvent, Stalled, TurnRecord
from gemini_live.protocol import events as ev

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, MeterProvider
    from opentelemetry.trace import Span, TracerProvider

__all__ = ["OpenTelemetry"]

SCOPE = "gemini_live"
# Seconds, from "instant" to "the user gave up": the SDK's default buckets are for milliseconds.
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0)

AttributeValue = str | bool | int | float


def _require_api() -> Any:
    try:
        from opentelemetry import metrics, trace
    except ImportError:
        raise ImportError(
            "OpenTelemetry export needs the otel extra: pip install 'gemini-live[otel]'"
        ) from None
    return trace, metrics


class OpenTelemetry:
    """Spans and metrics for one conversation; pass it as ``Conversation(telemetry=...)``.

    ``tracer_provider``/``meter_provider`` default to the global ones. ``attributes`` are added
    to the session span (e.g. ``{"app.user_tier": "free"}``; never put secrets there).
    One instance serves one conversation.
    """

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
        record_text: bool = False,
    ) -> None:
        trace, metrics = _require_api()
        from gemini_live import __version__

        self._trace = trace
        tracers = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
        meters = meter_provider if meter_provider is not None else metrics.get_meter_provider()
        self._tracer = tracers.get_tracer(SCOPE, __version__)
        meter = meters.get_meter(SCOPE, __version__)
        self._histograms: dict[str, Histogram] = {
            name: meter.create_histogram(
                f"gemini_live.latency.{name}",
                unit="s",
                description=f"{name.replace('_', ' ')} latency",
                explicit_bucket_boundaries_advisory=LATENCY_BUCKETS,
            )
            for name in LATENCIES
        }
        counter = meter.create_counter
        self._counters: dict[str, Counter] = {
            "frames_sent": counter("gemini_live.frames.sent", unit="{frame}"),
            "frames_received": counter("gemini_live.frames.received", unit="{frame}"),
            "bytes_sent": counter("gemini_live.bytes.sent", unit="By"),
            "reconnects": counter("gemini_live.reconnects", unit="{reconnect}"),
            "drops": counter("gemini_live.drops", unit="{item}"),
            "stalls": counter("gemini_live.stalls", unit="{stall}"),
            "context_losses": counter("gemini_live.context_losses", unit="{loss}"),
        }
        self._attributes = dict(attributes or {})
        self._record_text = record_text
        self._offset_ns = 0
        self._session_span: Span | None = None
        self._connection: Span | None = None
        self._attempt = 0
        self._stats: dict[str, int] = {}
        self._session: object = None
        self._lost_at: float | None = None

    # ------------------------------------------------------------------ observer protocol

    def started(self, session: object, now: float) -> None:
        """Open the session span and the first connection's span."""
        # One conversion from the monotonic clock to wall-clock nanoseconds for the session.
        self._offset_ns = time.time_ns() - int(now * 1e9)
        attributes: dict[str, AttributeValue] = dict(self._attributes)
        platform = getattr(session, "platform", None)
        if platform is not None:
            attributes["gemini_live.platform"] = str(getattr(platform, "value", platform))
        self._session_span = self._tracer.start_span(
            "gemini_live.session", attributes=attributes, start_time=self._ns(now)
        )
        self._session = session
        self._open_connection(now, cause="")
        self._sample_statistics(session)

    def event(self, event: ev.Event, now: float) -> None:
        """Connection spans, reconnect and drop counters from the session's events."""
        kind = type(event)
        if kind is ev.Disconnected:
            if event.will_reconnect and self._lost_at is None:  # type: ignore[union-attr]
                self._lost_at = now
            self._close_connection(event, now)  # type: ignore[arg-type]
        elif kind is ev.Reconnecting:
            if self._connection is not None:  # the previous attempt failed
                self._connection.set_attribute("gemini_live.connection.failed", True)
                self._connection.end(end_time=self._ns(now))
            self._open_connection(now, cause=event.cause)  # type: ignore[union-attr]
        elif kind is ev.Resumed:
            resumed: ev.Resumed = event  # type: ignore[assignment]
            if self._connection is not None:
                self._connection.set_attributes(
                    {
                        "gemini_live.connection.resumed": resumed.handle_used is not None,
                        "gemini_live.connection.fresh_session": resumed.fresh_session,
                        "gemini_live.connection.replayed": resumed.replayed_count,
                        "gemini_live.connection.dropped": resumed.dropped_count,
                    }
                )
            self._counters["reconnects"].add(1)
            if self._lost_at is not None:
                self._histograms["reconnect"].record(now - self._lost_at)
                self._lost_at = None
            if resumed.dropped_count:
                self._counters["drops"].add(resumed.dropped_count, {"kind": "replay"})
        elif kind is ev.InputDropped:
            dropped: ev.InputDropped = event  # type: ignore[assignment]
            self._counters["drops"].add(dropped.count, {"kind": dropped.kind})
        elif kind is ev.SetupComplete and self._connection is not None:
            session_id = event.session_id  # type: ignore[union-attr]
            if session_id:
                self._connection.set_attribute("gemini_live.session_id", session_id)

    def notice(self, notice: ConversationEvent) -> None:
        """Turn and tool-call spans, latency histograms, stall and context-loss counters."""
        span = self._session_span
        if isinstance(notice, TurnRecord):
            self._turn(notice)
        elif isinstance(notice, Stalled):
            attrs = {"waiting_for": notice.waiting_for, "action": notice.action}
            self._counters["stalls"].add(1, attrs)
            if span is not None:
                span.add_event(
                    "gemini_live.stalled",
                    {**attrs, "waited": notice.waited, "attempt": notice.attempt},
                    timestamp=self._ns(notice.since + notice.waited),
                )
        elif isinstance(notice, ContextLost):
            self._counters["context_losses"].add(1, {"reason": notice.reason})
            if span is not None:
                attributes: dict[str, AttributeValue] = {
                    "reason": notice.reason,
                    "prompt_tokens_before": notice.before,
                    "summary_sent": notice.summary_sent,
                }
                if notice.after is not None:
                    attributes["prompt_tokens_after"] = notice.after
                span.add_event("gemini_live.context_lost", attributes)

    def finished(self, session: object, now: float, metrics: MetricsSnapshot) -> None:
        """End the open spans with the final counters."""
        self._sample_statistics(session)
        end = self._ns(now)
        if self._connection is not None:
            self._connection.end(end_time=end)
            self._connection = None
        if self._session_span is not None:
            self._session_span.set_attributes(
                {
                    "gemini_live.turns": metrics.turns,
                    "gemini_live.reconnects": metrics.reconnects,
                    "gemini_live.stalls": metrics.stalls,
                    "gemini_live.context_losses": metrics.context_losses,
                }
            )
            self._session_span.end(end_time=end)
            self._session_span = None

    # ------------------------------------------------------------------ helpers

    def _ns(self, monotonic: float) -> int:
        return self._offset_ns + int(monotonic * 1e9)

    def _child_context(self, parent: Span | None) -> Any:
        return self._trace.set_span_in_context(parent) if parent is not None else None

    def _open_connection(self, now: float, cause: str) -> None:
        self._attempt += 1
        attributes: dict[str, AttributeValue] = {"gemini_live.connection.attempt": self._attempt}
        if cause:
            attributes["gemini_live.connection.cause"] = cause
        self._connection = self._tracer.start_span(
            "gemini_live.connection",
            context=self._child_context(self._session_span),
            attributes=attributes,
            start_time=self._ns(now),
        )

    def _close_connection(self, event: ev.Disconnected, now: float) -> None:
        span = self._connection
        if span is None:
            return
        attributes: dict[str, AttributeValue] = {
            "gemini_live.connection.close_reason": event.reason,
            "gemini_live.connection.closed_by": event.closed_by,
            "gemini_live.connection.will_reconnect": event.will_reconnect,
        }
        if event.code is not None:
            attributes["gemini_live.connection.close_code"] = event.code
        span.set_attributes(attributes)
        if event.closed_by != "client" and not event.will_reconnect:
            status = self._trace.Status(self._trace.StatusCode.ERROR, f"closed {event.code}")
            span.set_status(status)
        span.end(end_time=self._ns(now))
        self._connection = None

    def _turn(self, record: TurnRecord) -> None:
        self._sample_statistics(self._session)
        attributes: dict[str, AttributeValue] = {
            "gemini_live.turn.index": record.index,
            "gemini_live.turn.interrupted": record.interrupted is not None,
            "gemini_live.turn.tool_calls": len(record.tool_calls),
            "gemini_live.turn.reconnects": len(record.reconnects),
            "gemini_live.turn.user_chars": len(record.user.text),
            "gemini_live.turn.model_chars": len(record.model.text),
            "gemini_live.turn.audio_seconds": record.audio_seconds,
        }
        latency = record.latency
        if latency.input_end_kind is not None:
            attributes["gemini_live.turn.input_end"] = latency.input_end_kind
        samples = {
            "first_audio": latency.first_audio,
            "first_transcription": latency.first_transcription,
            "first_text": latency.first_text,
            "first_output": latency.first_output,
            "generation_complete": latency.generation_complete,
            "turn_complete": latency.turn_complete,
        }
        if record.interrupted is not None:
            attributes["gemini_live.turn.interruption_cause"] = record.interrupted.cause
            samples["interruption_stop"] = record.interrupted.stop_latency
        for name, value in samples.items():
            if value is not None:
                attributes[f"gemini_live.latency.{name}"] = value
                self._histograms[name].record(value)
        if record.usage is not None:
            attributes["gemini_live.usage.prompt_tokens"] = record.usage.prompt_tokens
            attributes["gemini_live.usage.response_tokens"] = record.usage.response_tokens
            attributes["gemini_live.usage.total_tokens"] = record.usage.total_tokens
        if self._record_text:
            attributes["gemini_live.turn.user_text"] = record.user.text
            attributes["gemini_live.turn.model_text"] = record.model.text
        span = self._tracer.start_span(
            "gemini_live.turn",
            context=self._child_context(self._session_span),
            attributes=attributes,
            start_time=self._ns(record.started_at),
        )
        context = self._child_context(span)
        for call in record.tool_calls:
            call_attributes: dict[str, AttributeValue] = {
                "gemini_live.tool.name": call.name,
                "gemini_live.tool.outcome": call.outcome,
            }
            if call.id is not None:
                call_attributes["gemini_live.tool.call_id"] = call.id
            if call.round_trip is not None:
                call_attributes["gemini_live.latency.tool_round_trip"] = call.round_trip
                self._histograms["tool_round_trip"].record(call.round_trip, {"tool": call.name})
            if call.resumed_after is not None:
                call_attributes["gemini_live.latency.tool_resume"] = call.resumed_after
                self._histograms["tool_resume"].record(call.resumed_after, {"tool": call.name})
            end = call.answered_at if call.answered_at is not None else record.ended_at
            self._tracer.start_span(
                "gemini_live.tool_call",
                context=context,
                attributes=call_attributes,
                start_time=self._ns(call.called_at),
            ).end(end_time=self._ns(max(end, call.called_at)))
        span.end(end_time=self._ns(record.ended_at))

    def _sample_statistics(self, session: object) -> None:
        """Add the session's counter increments since the last sample (cheap; per turn)."""
        statistics = getattr(session, "statistics", None)
        if not callable(statistics):
            return
        stats = statistics()
        for key, field in (
            ("frames_sent", "messages_sent"),
            ("frames_received", "frames_received"),
            ("bytes_sent", "bytes_sent"),
        ):
            value = int(getattr(stats, field, 0))
            delta = value - self._stats.get(key, 0)
            if delta > 0:
                self._counters[key].add(delta)
            self._stats[key] = value
        dropped = int(getattr(stats, "dropped_events", 0))
        delta = dropped - self._stats.get("dropped_events", 0)
        if delta > 0:
            self._counters["drops"].add(delta, {"kind": "event"})
        self._stats["dropped_events"] = dropped
