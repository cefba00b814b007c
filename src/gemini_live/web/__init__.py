"""The browser voice console: ``python -m gemini_live web`` (needs ``gemini-live[web]``).

A local aiohttp server serves one page (plain HTML/CSS/JS shipped in this package: no build
step, no CDN) and relays each tab's WebSocket to its own Live session::

    from gemini_live import ApiKey
    from gemini_live.web import ConsoleServer

    kwargs = {"credentials": ApiKey()}              # the key stays in this process
    async with ConsoleServer("gemini-3.8-live", connect_kwargs=kwargs) as console:
        print("open", console.url)
        ...

The page speaks a small protocol of its own with the relay (:mod:`gemini_live.web.messages`);
the relay (:mod:`gemini_live.web.relay`) uses only the library's public session API.
"""

from __future__ import annotations

try:
    import aiohttp  # noqa: F401 - fail here, once, with the fix in the message
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "the web console needs the 'web' extra: pip install 'gemini-live[web]'"
    ) from exc

from gemini_live.web.messages import Limits
from gemini_live.web.relay import Relay, RelayReport
from gemini_live.web.server import ConsoleServer, default_config
from gemini_live.web.tools import CONSOLE_TOOLS, console_toolbox

__all__ = [
    "CONSOLE_TOOLS",
    "ConsoleServer",
    "Limits",
    "Relay",
    "RelayReport",
    "console_toolbox",
    "default_config",
]
