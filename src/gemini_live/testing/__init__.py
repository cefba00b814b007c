"""Testing toolkit shipped with gemini-live: a local emulator of the Live service.

::

    from gemini_live.testing import Emulator

    async with Emulator() as emu:
        async with gemini_live.connect("gemini-3.8-live", base_url=emu.url, api_key="x") as s:
            ...

With pytest, the ``live_emulator`` fixture (from the ``gemini_live`` pytest plugin) gives a
started emulator. Faults (``Fault``/``FaultPlan``), scripted replies (``Scenario``) and
recordings (``record_to=`` / ``ReplayServer``) are described in :mod:`gemini_live.testing.emulator`.
"""

from gemini_live.testing.emulator import (
    DEFAULT_MODELS,
    ConsumedMessage,
    EmulatedSession,
    Emulator,
    EmulatorOptions,
    EmulatorStats,
    Fault,
    FaultPlan,
    InjectedFault,
    Moment,
    Pause,
    ReplayServer,
    Rule,
    Scenario,
    Turn,
    serve,
)

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
