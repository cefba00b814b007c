"""A faithful local emulator of the Gemini Live service (BidiGenerateContent over WebSocket).

::

    from gemini_live.testing.emulator import Emulator

    async with Emulator() as emu:
        url = emu.url_for("google_ai")   # or pass emu.url as a client's base URL
        ...
        assert emu.last_session.transcript == ("user: hi", "model: Echo: hi")

Module map: :mod:`.server` (Emulator, paths, auth, TLS), :mod:`.session` (one connection),
:mod:`.engine` (turns), :mod:`.model` (the deterministic replies: read its docstring to predict
them), :mod:`.inputs` (VAD / activity), :mod:`.faults`, :mod:`.scenario`, :mod:`.recorder` and
:mod:`.replay`, :mod:`.resumption`, :mod:`.tls`, :mod:`.wire`/:mod:`.frames` (encoding).
"""

from __future__ import annotations

from .faults import Fault, FaultPlan, InjectedFault, Moment
from .options import DEFAULT_MODELS, EmulatorOptions
from .replay import ReplayServer
from .runtime import EmulatorStats
from .scenario import Pause, Rule, Scenario
from .server import Emulator, serve
from .state import ConsumedMessage, EmulatedSession, Turn

__all__ = [
    "DEFAULT_MODELS",
    "ConsumedMessage",
    "EmulatedSession",
    "Emulator",
    "EmulatorOptions",
    "EmulatorStats",
    "Fault",
    "FaultPlan",
    "InjectedFault",
    "Moment",
    "Pause",
    "ReplayServer",
    "Rule",
    "Scenario",
    "Turn",
    "serve",
]
