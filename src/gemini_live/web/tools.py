"""The functions the console offers the model, and how one call is answered.

They are deliberately small, local and deterministic (no network), so the console shows the
whole tool-call round trip — call, local result, spoken answer — against the emulator and the
real service alike. Try ``call get_weather {"city": "Paris"}`` with the emulator, or ask the
real model about the weather or the time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gemini_live.protocol.events import FunctionCall
from gemini_live.protocol.types import FunctionDeclaration, FunctionResponse, Tool

__all__ = ["CONSOLE_TOOLS", "ConsoleTool", "ToolOutcome", "console_tool", "run_call"]

TOOL_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ConsoleTool:
    """A declaration and the plain Python function that answers it (keyword arguments in,
    a JSON-able value out; an exception becomes an ``error`` result)."""

    declaration: FunctionDeclaration
    function: Callable[..., Any]


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """One answered call: what goes to the model and what the page shows."""

    response: FunctionResponse
    ok: bool
    shown: Any


def get_weather(city: str) -> dict[str, Any]:
    """Weather for a city from a fixed table (deterministic, offline)."""
    table = {"paris": (18, "clear"), "london": (14, "drizzle"), "tokyo": (22, "cloudy")}
    temp, sky = table.get(city.strip().lower(), (20, "clear"))
    return {"city": city, "temp_c": temp, "sky": sky}


def get_time(utc_offset_hours: float = 0.0) -> dict[str, Any]:
    """The current time at a UTC offset (hours)."""
    if not -14 <= utc_offset_hours <= 14:
        raise ValueError("utc_offset_hours must be between -14 and 14")
    zone = dt.timezone(dt.timedelta(hours=utc_offset_hours))
    return {"time": dt.datetime.now(zone).strftime("%H:%M"), "utc_offset_hours": utc_offset_hours}


CONSOLE_TOOLS: tuple[ConsoleTool, ...] = (
    ConsoleTool(
        FunctionDeclaration(
            name="get_weather",
            description="Current weather for a city",
            # BLOCKING: the answer waits for the result, so it is spoken in the same turn.
            behavior="BLOCKING",
            parameters={
                "type": "OBJECT",
                "properties": {"city": {"type": "STRING", "description": "City name"}},
                "required": ["city"],
            },
        ),
        get_weather,
    ),
    ConsoleTool(
        FunctionDeclaration(
            name="get_time",
            description="The current time at a UTC offset in hours",
            behavior="BLOCKING",
            parameters={
                "type": "OBJECT",
                "properties": {"utc_offset_hours": {"type": "NUMBER"}},
            },
        ),
        get_time,
    ),
)


def console_tool(tools: tuple[ConsoleTool, ...]) -> Tool:
    """The ``Tool`` to put in ``LiveConfig.tools`` for ``tools``."""
    return Tool(function_declarations=tuple(t.declaration for t in tools))


async def run_call(
    call: FunctionCall, tools: Mapping[str, ConsoleTool], timeout: float = TOOL_TIMEOUT
) -> ToolOutcome:
    """Run one call and build its response; never raises for a failing tool (the model is told
    the error instead). Safe to cancel: a cancelled call sends nothing."""
    tool = tools.get(call.name)
    try:
        if tool is None:
            raise LookupError(f"no function named {call.name!r}")
        async with asyncio.timeout(timeout):
            # Run in a thread so a slow function cannot stall the relay's event loop.
            value = await asyncio.to_thread(tool.function, **call.args)
        body: dict[str, Any] = {"output": value}
        ok = True
    except TimeoutError:
        value = f"{call.name} took longer than {timeout:g} s"
        body, ok = {"error": value}, False
    except Exception as exc:  # the model hears about any failure of a user function
        value = f"{type(exc).__name__}: {exc}"
        body, ok = {"error": value}, False
    return ToolOutcome(FunctionResponse(name=call.name, response=body, id=call.id), ok, value)
