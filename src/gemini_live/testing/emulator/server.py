"""The emulator's WebSocket server: paths, authentication, TLS, and the public ``Emulator``.

Served paths (any prefix before ``/ws/`` is allowed and names a scenario; repeated slashes are
collapsed, so google-genai's ``//ws/...`` works)::

    /ws/google.ai.generativelanguage.{v1|v1beta|v1alpha}.GenerativeService.BidiGenerateContent
    /ws/google.ai.generativelanguage.{v1|v1beta|v1alpha}.GenerativeService.BidiGenerateContentConstrained
    /ws/google.cloud.aiplatform.{v1|v1beta1}.LlmBidiService/BidiGenerateContent

Anything else gets HTTP 404. Credentials: ``x-goog-api-key``, ``?key=``, ``Authorization: Bearer
...``, ``Authorization: Token ...`` or ``?access_token=``; none gives HTTP 401. Credentials are
never logged or recorded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import os
import shutil
import ssl
import tempfile
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.http11 import Request, Response

from .faults import Fault, FaultPlan
from .link import EmulatorConnection
from .options import EmulatorOptions
from .recorder import Recorder
from .runtime import EmulatorStats, Route, Runtime, extract_credential, match_route
from .session import Connection
from .setup_config import OLD_GOOGLE_AI, warn_old_spelling
from .state import EmulatedSession
from .tls import TlsMaterial, client_context, generate_self_signed, server_context

if TYPE_CHECKING:
    from .replay import ReplayServer

__all__ = ["BaseServer", "Emulator", "serve"]

logger = logging.getLogger("gemini_live.testing")

_PATHS = {
    "google_ai": "/ws/google.ai.generativelanguage.{v}.GenerativeService.BidiGenerateContent",
    "ephemeral": (
        "/ws/google.ai.generativelanguage.{v}.GenerativeService.BidiGenerateContentConstrained"
    ),
    "vertex": "/ws/google.cloud.aiplatform.{v}.LlmBidiService/BidiGenerateContent",
}
_DEFAULT_VERSION = {"google_ai": "v1beta", "ephemeral": "v1alpha", "vertex": "v1"}


class _NoDebugAdapter(logging.LoggerAdapter[logging.Logger]):
    """The websockets server's logger with DEBUG forced off: at DEBUG it logs every request
    header, ``x-goog-api-key`` and ``Authorization`` included (and every frame)."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_QUIET_WS_LOGGER = _NoDebugAdapter(logging.getLogger("websockets.server"), {})


class BaseServer:
    """Binding, TLS, path routing and authentication shared by the emulator and replays."""

    def __init__(
        self, *, host: str, port: int, tls: bool | tuple[str, str], max_size: int | None
    ) -> None:
        self.host = host
        self._requested_port = port
        self._tls = tls
        self._max_size = max_size
        self._server: Server | None = None
        self._bound_port: int | None = None
        self._tmpdir: str | None = None
        self._material: TlsMaterial | None = None
        self.ssl_context: ssl.SSLContext | None = None
        """With TLS: a client ``SSLContext`` that trusts the emulator's certificate."""

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> Self:
        """Bind and start serving; idempotent. Not safe to call concurrently with itself or
        :meth:`stop`; cancelling it leaves the server stopped."""
        if self._server is not None:
            return self
        if not _is_loopback(self.host):
            logger.warning("emulator listening on non-loopback address %s", self.host)
        server_ssl = None
        if self._tls:
            if isinstance(self._tls, tuple | list):
                self._material = TlsMaterial(Path(self._tls[0]), Path(self._tls[1]))
            else:
                self._tmpdir = tempfile.mkdtemp(prefix="gemini-live-emulator-")
                self._material = await asyncio.to_thread(generate_self_signed, self._tmpdir)
            server_ssl = server_context(self._material)
            self.ssl_context = client_context(self._material)
        try:
            self._server = await ws_serve(
                self._handle,
                self.host,
                self._requested_port,
                process_request=self._process_request,
                create_connection=EmulatorConnection,
                ssl=server_ssl,
                max_size=self._max_size,
                ping_interval=None,
                close_timeout=2,
                logger=_QUIET_WS_LOGGER,
            )
        except BaseException:
            # e.g. OSError "address already in use": leave nothing behind.
            await self.stop()
            raise
        self._bound_port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        """Close every connection (1001) and stop listening; idempotent. Waits for the
        connection handlers to finish. Safe to cancel (the listener is already closed)."""
        server, self._server = self._server, None
        if server is not None:
            for connection in server.connections:
                # Undo stall faults so close handshakes can complete instead of timing out.
                if not connection.transport.is_closing():
                    connection.transport.resume_reading()
            server.close()
            await server.wait_closed()
        self._on_stopped()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _on_stopped(self) -> None:
        pass

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`; still readable after :meth:`stop`)."""
        if self._bound_port is None:
            raise RuntimeError("the emulator is not started")
        return self._bound_port

    @property
    def _authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """Base WebSocket URL, e.g. ``ws://127.0.0.1:PORT`` (``wss://`` with TLS)."""
        return f"{'wss' if self._tls else 'ws'}://{self._authority}"

    @property
    def http_url(self) -> str:
        """Base HTTP URL (``https://...`` with TLS): what google-genai takes as ``base_url``."""
        return f"{'https' if self._tls else 'http'}://{self._authority}"

    @property
    def cert_path(self) -> Path | None:
        """With TLS: the PEM certificate to trust (e.g. via ``SSL_CERT_FILE``)."""
        return self._material.cert_path if self._material else None

    def url_for(
        self,
        platform: str = "google_ai",
        *,
        version: str | None = None,
        prefix: str = "",
    ) -> str:
        """Full service URL for ``platform`` (optionally under a scenario ``prefix``).

        ``platform`` is ``"google_ai"`` or ``"vertex"`` (the spelling ``connect(platform=...)``
        takes and ``Session.platform``/``EmulatedSession.platform`` report; typed ``str`` so
        that a ``gemini_live.Platform`` member, a ``str`` enum, type-checks too), or
        ``"ephemeral"`` (the Google AI path for ephemeral tokens); anything else is a
        ``ValueError``. The older ``"googleai"`` works for one more release, with a
        ``DeprecationWarning``.
        """
        route = str(platform)
        if route == OLD_GOOGLE_AI:
            warn_old_spelling()
            route = "google_ai"
        if route not in _PATHS:
            raise ValueError(
                f"platform must be 'google_ai', 'vertex' or 'ephemeral', not {platform!r}"
            )
        path = _PATHS[route].format(v=version or _DEFAULT_VERSION[route])
        lead = f"/{prefix.strip('/')}" if prefix.strip("/") else ""
        return f"{self.url}{lead}{path}"

    # -- handshake -----------------------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        route = match_route(request.path)
        if route is None:
            self._rejected(404)
            return connection.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        credential = extract_credential(request.path, request.headers)
        if credential is None:
            self._rejected(401)
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Missing API key or access token.\n")
        if isinstance(connection, EmulatorConnection):
            connection.route = route
            connection.credential = credential
        return None

    def _rejected(self, status: int) -> None:
        pass

    async def _handle(self, ws: ServerConnection) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Emulator(BaseServer):
    """A local, faithful emulator of the Live service.

    ``Emulator(**options)`` takes :class:`EmulatorOptions` fields as keyword arguments (or an
    ``EmulatorOptions`` positionally). Use ``async with Emulator() as emu: ...`` or
    ``await emu.start()`` / ``await emu.stop()``.

    Addresses: ``url`` (base ``ws://127.0.0.1:PORT``; clients append the service path),
    ``http_url`` (``http(s)://...``, for SDKs that take an HTTP base URL), ``url_for(platform)``
    (a full service URL), ``port``; with TLS, ``ssl_context`` and ``cert_path``.
    For assertions: ``sessions`` / ``last_session`` (:class:`EmulatedSession`), ``stats``
    (:class:`EmulatorStats`), ``faults`` (:class:`FaultPlan`; ``inject()`` is a shortcut).
    The reply rules are in :mod:`gemini_live.testing.emulator.model`.
    """

    def __init__(self, options: EmulatorOptions | None = None, /, **overrides: Any) -> None:
        opts = options or EmulatorOptions()
        if overrides:
            opts = dataclasses.replace(opts, **overrides)
        super().__init__(host=opts.host, port=opts.port, tls=opts.tls, max_size=opts.max_size)
        self.options = opts
        self.faults = FaultPlan()
        self.stats = EmulatorStats()
        self._runtime = Runtime(opts, self.faults, self.stats)

    async def start(self) -> Self:
        """Bind and start serving (opens the recording file if ``record_to`` is set).

        Idempotent; not safe to call concurrently with :meth:`stop`.
        """
        if self.options.record_to is not None and self._runtime.recorder is None:
            self._runtime.recorder = Recorder(self.options.record_to)
        return await super().start()

    def _on_stopped(self) -> None:
        if self._runtime.recorder is not None:
            self._runtime.recorder.close()
            self._runtime.recorder = None

    @property
    def sessions(self) -> list[EmulatedSession]:
        """Every session so far, oldest first (resumed sessions are not duplicated)."""
        return self._runtime.sessions

    @property
    def last_session(self) -> EmulatedSession:
        """The most recently created session."""
        if not self._runtime.sessions:
            raise LookupError("no session has been set up yet")
        return self._runtime.sessions[-1]

    def inject(self, *faults: Fault, always: bool = False) -> None:
        """Apply ``faults`` to the next connection attempt (or to every one with ``always``)."""
        if always:
            self.faults.always(*faults)
        else:
            self.faults.next(*faults)

    @classmethod
    def replay(cls, path: str | os.PathLike[str], **kwargs: Any) -> ReplayServer:
        """A server that replays a recording made with ``record_to`` (see ``ReplayServer``)."""
        from .replay import ReplayServer

        return ReplayServer(path, **kwargs)

    def _rejected(self, status: int) -> None:
        self.stats.http_rejections[status] += 1

    async def _handle(self, ws: ServerConnection) -> None:
        route: Route | None = getattr(ws, "route", None)
        if route is None:  # pragma: no cover - process_request always sets it
            return
        conn_id = self._runtime.next_connection_id()
        self.stats.connections += 1
        if self._runtime.recorder is not None:
            self._runtime.recorder.open(conn_id, route.path)
        scenario = self.options.scenarios.get(route.prefix) or self.options.scenario
        connection = Connection(
            self._runtime,
            ws,
            conn_id,
            route,
            getattr(ws, "credential", ""),
            self.faults.take(),
            scenario,
        )
        await connection.run()


async def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ready: Callable[[Emulator], None] | None = None,
    **options: Any,
) -> None:
    """Run an emulator until cancelled (for ``gemini-live emulator``).

    Binds ``host`` (loopback unless another address is passed explicitly) and calls
    ``ready(emulator)`` once listening. Cancel the task to stop it: cancelling is the intended
    way to end it and closes every connection first.
    """
    async with Emulator(host=host, port=port, **options) as emulator:
        logger.info("emulator listening on %s", emulator.url)
        if ready is not None:
            ready(emulator)
        await asyncio.Event().wait()
