"""The console's HTTP server: one page, its static files, and the WebSocket relay (aiohttp).

::

    kwargs = {"base_url": url, "credentials": ApiKey(key)}     # anything connect() takes
    async with ConsoleServer("gemini-3.8-live", connect_kwargs=kwargs) as console:
        ...   # open console.url in a browser

Every WebSocket gets its own :class:`~gemini_live.web.relay.Relay` and so its own Live session;
tabs are independent. The API key stays in ``connect_kwargs`` on the server: the page only ever
learns the model name and a label for the target. The WebSocket refuses other origins (a web
page elsewhere must not be able to drive your key through your local server).
"""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import socket
from collections import deque
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlsplit

from aiohttp import web

import gemini_live
from gemini_live.client.session import Session
from gemini_live.protocol.config import AudioTranscriptionConfig, GenerationConfig, LiveConfig
from gemini_live.tools import Toolbox
from gemini_live.web.messages import INPUT_RATE, OUTPUT_RATE, PROTOCOL_VERSION, Limits, dumps
from gemini_live.web.relay import Relay, RelayReport
from gemini_live.web.tools import CONSOLE_TOOLS, console_toolbox

__all__ = ["ConsoleServer", "default_config"]

logger = logging.getLogger("gemini_live.web")

_STATIC: dict[str, str] = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "worklets.js": "text/javascript",
    "style.css": "text/css",
    "icon.svg": "image/svg+xml",
}
_HEADERS = {
    # Everything is served from here: no CDN, no inline script, works offline.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# aiohttp refuses frames beyond this itself (close 1009); smaller oversized frames get a
# readable error from the relay first (see Limits).
_HARD_FRAME_LIMIT = 1024 * 1024


def default_config(
    tools: Toolbox = CONSOLE_TOOLS, *, model: str | None = None, instruction: str = ""
) -> LiveConfig:
    """The session the console opens: spoken answers, both transcripts, ``tools``.

    With ``model``, tool behaviours that model refuses raise ``ValueError`` here (see
    :meth:`~gemini_live.tools.Toolbox.declarations`) instead of failing every session.
    """
    return LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        system_instruction=instruction or None,
        tools=tools.declarations(model=model),
        input_audio_transcription=AudioTranscriptionConfig(),
        output_audio_transcription=AudioTranscriptionConfig(),
        input_audio_rate=INPUT_RATE,
    )


def _load_static() -> dict[str, bytes]:
    folder = importlib.resources.files("gemini_live.web") / "static"
    return {name: (folder / name).read_bytes() for name in _STATIC}


class ConsoleServer:
    """Serve the console on ``host:port`` (default ``127.0.0.1``, a free port).

    ``connect_kwargs`` go to :func:`gemini_live.connect` for every tab (credentials, base URL);
    ``config`` is the session's ``LiveConfig`` (default :func:`default_config`), ``tools`` the
    :class:`~gemini_live.tools.Toolbox` answering calls (default: the console's weather and time
    functions); ``target`` is the label the page shows (``"emulator"``, ``"Gemini Live API"``);
    ``limits`` what a page may send (:class:`~gemini_live.web.messages.Limits`);
    ``max_sessions`` bounds concurrent tabs. ``reports`` keeps the last 256 finished relays.
    """

    def __init__(
        self,
        model: str,
        *,
        connect_kwargs: Mapping[str, Any] | None = None,
        config: LiveConfig | None = None,
        target: str = "emulator",
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Limits | None = None,
        tools: Toolbox | None = None,
        max_sessions: int = 16,
    ) -> None:
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be >= 1, got {max_sessions!r}")
        self.model = model
        self._connect_kwargs = dict(connect_kwargs or {})
        toolbox = tools if tools is not None else console_toolbox(model)
        self._config = config if config is not None else default_config(toolbox, model=model)
        self.target = target
        self._host = host
        self._port = port
        self.limits = limits or Limits()
        self._tools = toolbox
        self._max_sessions = max_sessions
        self._static = _load_static()
        self._relays: set[asyncio.Task[Any]] = set()
        self._changed = asyncio.Event()
        self._opened = 0
        self.reports: deque[RelayReport] = deque(maxlen=256)
        self._runner: web.AppRunner | None = None
        self._bound_port = 0

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> Self:
        """Bind and serve. Not safe to call concurrently with :meth:`stop`."""
        if self._runner is not None:
            return self
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static_file)
        app.router.add_get("/ws", self._relay)
        app.on_shutdown.append(self._on_shutdown)
        # Bind the socket ourselves: that is how we learn the port when asked for port 0.
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
        except OSError:
            sock.close()
            raise
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        self._runner = runner
        self._bound_port = sock.getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close every relay (their sessions are disconnected) and stop serving. Bounded,
        idempotent."""
        runner, self._runner = self._runner, None
        if runner is not None:
            # Relays first, while their sockets are still served: each page is told why.
            await self._close_relays()
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port being served (the one bound when asked for port 0); 0 before
        :meth:`start`."""
        return self._bound_port

    @property
    def url(self) -> str:
        """``http://host:port/`` of the page."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._bound_port}/"

    @property
    def active(self) -> int:
        """Relays (tabs) currently open."""
        return len(self._relays)

    async def wait_active(self, count: int, *, timeout: float) -> None:
        """Wait until exactly ``count`` relays are open (e.g. 0: every tab has gone).

        Raises ``TimeoutError`` after ``timeout`` seconds. Safe to cancel and to call
        concurrently.
        """
        async with asyncio.timeout(timeout):
            while len(self._relays) != count:
                self._changed.clear()
                await self._changed.wait()

    # -- handlers -------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        return self._file("index.html")

    async def _static_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _STATIC or name == "index.html":
            raise web.HTTPNotFound()
        return self._file(name)

    def _file(self, name: str) -> web.Response:
        kind = _STATIC[name]
        charset = "utf-8" if kind.startswith("text/") or kind.endswith("+xml") else None
        return web.Response(
            body=self._static[name], content_type=kind, charset=charset, headers=_HEADERS
        )

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        if not _same_origin(request):
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        # No permessage-deflate: PCM barely compresses and it would cost CPU per frame.
        ws = web.WebSocketResponse(
            max_msg_size=_HARD_FRAME_LIMIT, heartbeat=30.0, compress=False, timeout=2.0
        )
        await ws.prepare(request)
        if len(self._relays) >= self._max_sessions:
            # Said over the socket: a refused upgrade would reach the page as a bare 1006.
            await _refuse(
                ws,
                f"Too many console sessions are open (limit {self._max_sessions}): "
                "close another tab and try again.",
            )
            return ws
        self._opened += 1
        relay = Relay(
            ws,
            self._open_session,
            number=self._opened,
            limits=self.limits,
            tools=self._tools,
            page_info={
                "model": self.model,
                "target": self.target,
                "inputRate": INPUT_RATE,
                "outputRate": OUTPUT_RATE,
                "version": PROTOCOL_VERSION,
            },
        )
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        self._changed.set()
        try:
            await relay.run()
        finally:
            self._relays.discard(task)
            self._changed.set()
            report = relay.report()
            self.reports.append(report)
            logger.info("%s", report.line())
        return ws

    async def _open_session(self) -> Session:
        return await gemini_live.connect(self.model, config=self._config, **self._connect_kwargs)

    async def _on_shutdown(self, app: web.Application) -> None:
        await self._close_relays()

    async def _close_relays(self) -> None:
        # Cancelling a relay disconnects its session and tells its page why (bounded).
        for task in list(self._relays):
            task.cancel()
        if self._relays:
            await asyncio.wait(list(self._relays), timeout=10.0)


async def _refuse(ws: web.WebSocketResponse, message: str) -> None:
    try:
        async with asyncio.timeout(2.0):
            await ws.send_str(dumps({"type": "error", "message": message}))
            await ws.close(code=1013, message=b"too many sessions")
    except (TimeoutError, ConnectionError):
        pass


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.host
