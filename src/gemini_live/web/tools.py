"""The functions the console offers the model, and how their outcomes are shown on the page.

They are deliberately small, local and deterministic (no network), so the console shows the
whole tool-call round trip — call, local result, spoken answer — against the emulator and the
real service alike. Try ``call get_weather {"city": "Paris"}`` with the emulator, or ask the
real model about the weather or the time. The calls are answered by a
:class:`~gemini_live.tools.Toolbox` runner (exactly once, with deadlines and cancellation); pass
your own ``Toolbox`` to :class:`~gemini_live.web.ConsoleServer` to offer other functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gemini_live.tools import (
    Toolbox,
    ToolCallCancelled,
    ToolCallFailed,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallStarted,
    ToolCallTimedOut,
    ToolEvent,
)

__all__ = ["CONSOLE_TOOLS", "console_toolbox", "tool_message"]


def get_weather(city: str) -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
    """
    table = {"paris": (18, "clear"), "london": (14, "drizzle"), "tokyo": (22, "cloudy")}
    temp, sky = table.get(city.strip().lower(), (20, "clear"))
    return {"city": city, "temp_c": temp, "sky": sky}


def get_time(utc_offset_hours: float = 0.0) -> dict[str, Any]:
    """The current time at a UTC offset.

    Args:
        utc_offset_hours: Hours east of UTC, between -14 and 14.
    """
    if not -14 <= utc_offset_hours <= 14:
        raise ValueError("utc_offset_hours must be between -14 and 14")
    zone = dt.timezone(dt.timedelta(hours=utc_offset_hours))
    return {"time": dt.datetime.now(zone).strftime("%H:%M"), "utc_offset_hours": utc_offset_hours}


def console_toolbox(model: str | None = None) -> Toolbox:
    """A fresh toolbox with the console's two functions.

    BLOCKING (the model waits for the result, so the answer is spoken in the same turn) unless
    ``model`` is known to accept only NON_BLOCKING tools (3.8 extended thinking).
    """
    for behavior in ("BLOCKING", "NON_BLOCKING"):
        tools = Toolbox()
        tools.add(get_weather, behavior=behavior)
        tools.add(get_time, behavior=behavior)
        try:
            tools.declarations(model=model)
        except ValueError:
            continue  # the toolbox knows which behaviours this model refuses
        return tools
    raise ValueError(f"model {model!r} accepts neither BLOCKING nor NON_BLOCKING tools")


CONSOLE_TOOLS = console_toolbox()
"""The console's toolbox for models that take BLOCKING tools (most of them)."""


def tool_message(event: ToolEvent) -> list[dict[str, Any]]:
    """What the page shows for one runner event: a call card, then its outcome."""
    match event:
        case ToolCallStarted(call_id=call_id, name=name, args=args):
            return [{"type": "tool_call", "calls": [{"id": call_id, "name": name, "args": args}]}]
        case ToolCallFinished(call_id=call_id, name=name, output=output):
            return [_result(call_id, name, True, output)]
        case ToolCallFailed(call_id=call_id, name=name, error_type=kind, message=text):
            return [_result(call_id, name, False, f"{kind}: {text}")]
        case ToolCallTimedOut(call_id=call_id, name=name, deadline=deadline):
            return [_result(call_id, name, False, f"no result within {deadline:g} s")]
        case ToolCallRejected(call_id=call_id, name=name, reason=reason, detail=detail):
            # A rejected call never started: its card and its outcome come together.
            card = {"type": "tool_call", "calls": [{"id": call_id, "name": name, "args": {}}]}
            return [card, _result(call_id, name, False, f"{reason}: {detail}")]
        case ToolCallCancelled(call_id=call_id, reason=reason):
            return [{"type": "tool_cancelled", "ids": [call_id], "reason": reason}]
    return []


def _result(call_id: str | None, name: str, ok: bool, shown: Any) -> dict[str, Any]:
    return {"type": "tool_result", "id": call_id, "name": name, "ok": ok, "result": shown}
