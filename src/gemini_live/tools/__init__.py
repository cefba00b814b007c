"""Python functions (and MCP servers) as Live tools, answered exactly once.

::

    from typing import Literal

    from gemini_live.tools import Toolbox

    tools = Toolbox()

    @tools.function
    async def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict:
        \"\"\"Current weather for a city.

        Args:
            city: City name, e.g. "Paris".
            unit: Temperature unit.
        \"\"\"
        return {"city": city, "temp": 21, "unit": unit}

    config = LiveConfig(tools=tools.declarations())
    async with gemini_live.connect(model, config=config) as session:
        async with tools.serve(session):       # answers calls until the block ends
            ...

Declarations come from type hints and docstrings (:mod:`.schema`, :mod:`.docstrings`); the
runner and its guarantees are described in :mod:`.runner`; what it reports in :mod:`.observe`;
MCP servers in :mod:`.mcp` (the ``[mcp]`` extra, imported only when used).
"""

from __future__ import annotations

from gemini_live.tools.docstrings import Docstring, parse_docstring
from gemini_live.tools.function import (
    BehaviorName,
    SchedulingName,
    SchemaForm,
    ToolError,
    ToolFunction,
    ToolResult,
    make_function,
)
from gemini_live.tools.observe import (
    CancelReason,
    RejectReason,
    ToolCallCancelled,
    ToolCallFailed,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallStarted,
    ToolCallTimedOut,
    ToolEvent,
    ToolStatistics,
)
from gemini_live.tools.runner import ToolRunner
from gemini_live.tools.sending import ResponseWriter
from gemini_live.tools.toolbox import Toolbox

__all__ = [
    "BehaviorName",
    "CancelReason",
    "Docstring",
    "RejectReason",
    "ResponseWriter",
    "SchedulingName",
    "SchemaForm",
    "ToolCallCancelled",
    "ToolCallFailed",
    "ToolCallFinished",
    "ToolCallRejected",
    "ToolCallStarted",
    "ToolCallTimedOut",
    "ToolError",
    "ToolEvent",
    "ToolFunction",
    "ToolResult",
    "ToolRunner",
    "ToolStatistics",
    "Toolbox",
    "make_function",
    "parse_docstring",
]
