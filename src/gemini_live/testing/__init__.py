"""Testing toolkit shipped with gemini-live: a local emulator of the Live service.

::

    from gemini_live.testing import Emulator

    async with Emulator() as emu:
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=emu.url, credentials=gemini_live.ApiKey("x")
        ) as s:
            ...

With pytest, the ``live_emulator`` fixture (from the ``gemini_live`` pytest plugin) gives a
started emulator. Faults (``Fault``/``FaultPlan``), scripted replies (``Scenario``) and
recordings (``record_to=`` / ``ReplayServer``) are described in :mod:`gemini_live.testing.emulator`.
Bounded helpers for reading events in tests (``read_until``, ``read_turn``, ``text_of``, ...)
are in :mod:`gemini_live.testing.streams`.
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
from gemini_live.testing.streams import (
    audio_of,
    drain,
    input_transcript_of,
    read_for,
    read_turn,
    read_until,
    text_of,
    transcript_of,
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
    "audio_of",
    "drain",
    "input_transcript_of",
    "read_for",
    "read_turn",
    "read_until",
    "serve",
    "text_of",
    "transcript_of",
]
