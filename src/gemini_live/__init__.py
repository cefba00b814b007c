"""gemini-live: a fast, resilient asyncio client for the Gemini Multimodal Live API.

::

    import gemini_live
    from gemini_live import (
        ApiKey, AudioTranscriptionConfig, LiveConfig, OutputTranscription, TurnComplete,
    )

    # Live models answer in audio; the transcription of that audio is the text to print.
    config = LiveConfig(output_audio_transcription=AudioTranscriptionConfig())
    async with gemini_live.connect("gemini-3.8-live", credentials=ApiKey(), config=config) as s:
        events = s.events()
        await s.send_text("Hello!")
        async for event in events:
            match event:
                case OutputTranscription(text=text): print(text, end="")
                case TurnComplete(): break

``connect()`` returns a :class:`Connecting` (await it, or use it with ``async with``) that
opens a :class:`Session`. The write side is :class:`SessionWriter`; the read side is
``session.events()`` (a :class:`Subscription`); credentials are :class:`ApiKey`,
:class:`EphemeralToken` and :class:`Vertex`; waits are grouped in :class:`Timeouts`; errors are
drawn in :mod:`gemini_live.errors`; the offline emulator is :mod:`gemini_live.testing`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The public names are loaded on first use (PEP 562 ``__getattr__`` below), so that
# ``import gemini_live`` costs only this file and a program loads just the modules it uses (a
# session streaming audio never needs the writers that compose, for example). Type checkers and
# IDEs read the imports below; ``__all__``, ``dir()``, ``from gemini_live import *`` and
# ``from gemini_live import X`` work as before, and a name is the very object of its module.
if TYPE_CHECKING:
    from gemini_live.client.connect import Connecting, PlatformName, connect
    from gemini_live.client.credentials import (
        ApiKey,
        Credentials,
        EphemeralToken,
        TokenProvider,
        Vertex,
    )
    from gemini_live.client.fanout import OverflowPolicy, Subscription
    from gemini_live.client.options import SessionOptions, Timeouts
    from gemini_live.client.session import Session, SessionStatistics
    from gemini_live.client.transport import TransportOptions
    from gemini_live.client.writer import RecordedCall, RecordingWriter, SessionWriter, TeeWriter
    from gemini_live.errors import (
        AudioDeviceError,
        AuthenticationError,
        ClosedBy,
        ConfigError,
        ConnectError,
        LiveError,
        LiveTimeout,
        SendQueueFull,
        SessionBroken,
        SessionClosed,
        SetupRejected,
        SetupTimeout,
        SubscriberOverflow,
    )
    from gemini_live.protocol.config import (
        ActivityHandling,
        AudioTranscriptionConfig,
        AutomaticActivityDetection,
        AvatarConfig,
        ContextWindowCompression,
        CustomizedAvatar,
        EndSensitivity,
        GenerationConfig,
        HistoryConfig,
        LiveConfig,
        MediaResolution,
        Modality,
        Platform,
        Proactivity,
        RealtimeInputConfig,
        SafetySetting,
        SessionResumptionConfig,
        SlidingWindow,
        SpeechConfig,
        StartSensitivity,
        ThinkingConfig,
        ThinkingLevel,
        TranslationConfig,
        TurnCoverage,
    )
    from gemini_live.protocol.events import (
        AudioChunk,
        CodeExecutionResult,
        Disconnected,
        Event,
        ExecutableCode,
        FunctionCall,
        GenerationComplete,
        GoAway,
        GroundingMetadata,
        InputDropped,
        InputTranscription,
        InterimInputTranscription,
        Interrupted,
        ModalityTokens,
        OutputTranscription,
        PhaseChanged,
        ProtocolViolation,
        Reconnecting,
        Resumed,
        ResumptionUpdate,
        SessionWarning,
        SetupComplete,
        TextDelta,
        Thought,
        ToolCall,
        ToolCallCancellation,
        TurnComplete,
        UnconfirmedMessage,
        UnknownMessage,
        UrlContextMetadata,
        Usage,
        VadSignal,
        VoiceActivity,
        WaitingForInput,
    )
    from gemini_live.protocol.phases import Phase
    from gemini_live.protocol.retry import (
        ExponentialBackoff,
        Failure,
        FailureKind,
        RetryPolicy,
        Verdict,
    )
    from gemini_live.protocol.types import (
        Behavior,
        Blob,
        Content,
        FunctionDeclaration,
        FunctionResponse,
        Part,
        Scheduling,
        Tool,
    )

__version__ = "0.1.0"

__all__ = [
    "ActivityHandling",
    "ApiKey",
    "AudioChunk",
    "AudioDeviceError",
    "AudioTranscriptionConfig",
    "AuthenticationError",
    "AutomaticActivityDetection",
    "AvatarConfig",
    "Behavior",
    "Blob",
    "ClosedBy",
    "CodeExecutionResult",
    "ConfigError",
    "ConnectError",
    "Connecting",
    "Content",
    "ContextWindowCompression",
    "Credentials",
    "CustomizedAvatar",
    "Disconnected",
    "EndSensitivity",
    "EphemeralToken",
    "Event",
    "ExecutableCode",
    "ExponentialBackoff",
    "Failure",
    "FailureKind",
    "FunctionCall",
    "FunctionDeclaration",
    "FunctionResponse",
    "GenerationComplete",
    "GenerationConfig",
    "GoAway",
    "GroundingMetadata",
    "HistoryConfig",
    "InputDropped",
    "InputTranscription",
    "InterimInputTranscription",
    "Interrupted",
    "LiveConfig",
    "LiveError",
    "LiveTimeout",
    "MediaResolution",
    "Modality",
    "ModalityTokens",
    "OutputTranscription",
    "OverflowPolicy",
    "Part",
    "Phase",
    "PhaseChanged",
    "Platform",
    "PlatformName",
    "Proactivity",
    "ProtocolViolation",
    "RealtimeInputConfig",
    "Reconnecting",
    "RecordedCall",
    "RecordingWriter",
    "Resumed",
    "ResumptionUpdate",
    "RetryPolicy",
    "SafetySetting",
    "Scheduling",
    "SendQueueFull",
    "Session",
    "SessionBroken",
    "SessionClosed",
    "SessionOptions",
    "SessionResumptionConfig",
    "SessionStatistics",
    "SessionWarning",
    "SessionWriter",
    "SetupComplete",
    "SetupRejected",
    "SetupTimeout",
    "SlidingWindow",
    "SpeechConfig",
    "StartSensitivity",
    "SubscriberOverflow",
    "Subscription",
    "TeeWriter",
    "TextDelta",
    "ThinkingConfig",
    "ThinkingLevel",
    "Thought",
    "Timeouts",
    "TokenProvider",
    "Tool",
    "ToolCall",
    "ToolCallCancellation",
    "TranslationConfig",
    "TransportOptions",
    "TurnComplete",
    "TurnCoverage",
    "UnconfirmedMessage",
    "UnknownMessage",
    "UrlContextMetadata",
    "Usage",
    "VadSignal",
    "Verdict",
    "Vertex",
    "VoiceActivity",
    "WaitingForInput",
    "__version__",
    "connect",
]


# Where each public name lives (the imports above, as data: tests/test_import_footprint.py checks
# that both say the same).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "gemini_live.client.connect": ("Connecting", "PlatformName", "connect"),
    "gemini_live.client.credentials": (
        "ApiKey", "Credentials", "EphemeralToken", "TokenProvider", "Vertex",
    ),
    "gemini_live.client.fanout": ("OverflowPolicy", "Subscription"),
    "gemini_live.client.options": ("SessionOptions", "Timeouts"),
    "gemini_live.client.session": ("Session", "SessionStatistics"),
    "gemini_live.client.transport": ("TransportOptions",),
    "gemini_live.client.writer": ("RecordedCall", "RecordingWriter", "SessionWriter", "TeeWriter"),
    "gemini_live.errors": (
        "AudioDeviceError", "AuthenticationError", "ClosedBy", "ConfigError", "ConnectError",
        "LiveError", "LiveTimeout", "SendQueueFull", "SessionBroken", "SessionClosed",
        "SetupRejected", "SetupTimeout", "SubscriberOverflow",
    ),
    "gemini_live.protocol.config": (
        "ActivityHandling", "AudioTranscriptionConfig", "AutomaticActivityDetection",
        "AvatarConfig", "ContextWindowCompression", "CustomizedAvatar", "EndSensitivity",
        "GenerationConfig", "HistoryConfig", "LiveConfig", "MediaResolution", "Modality",
        "Platform", "Proactivity", "RealtimeInputConfig", "SafetySetting",
        "SessionResumptionConfig", "SlidingWindow", "SpeechConfig", "StartSensitivity",
        "ThinkingConfig", "ThinkingLevel", "TranslationConfig", "TurnCoverage",
    ),
    "gemini_live.protocol.events": (
        "AudioChunk", "CodeExecutionResult", "Disconnected", "Event", "ExecutableCode",
        "FunctionCall", "GenerationComplete", "GoAway", "GroundingMetadata", "InputDropped",
        "InputTranscription", "InterimInputTranscription", "Interrupted", "ModalityTokens",
        "OutputTranscription", "PhaseChanged", "ProtocolViolation", "Reconnecting", "Resumed",
        "ResumptionUpdate", "SessionWarning", "SetupComplete", "TextDelta", "Thought", "ToolCall",
        "ToolCallCancellation", "TurnComplete", "UnconfirmedMessage", "UnknownMessage",
        "UrlContextMetadata", "Usage", "VadSignal", "VoiceActivity", "WaitingForInput",
    ),
    "gemini_live.protocol.phases": ("Phase",),
    "gemini_live.protocol.retry": (
        "ExponentialBackoff", "Failure", "FailureKind", "RetryPolicy", "Verdict",
    ),
    "gemini_live.protocol.types": (
        "Behavior", "Blob", "Content", "FunctionDeclaration", "FunctionResponse", "Part",
        "Scheduling", "Tool",
    ),
}  # fmt: skip
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
# Subpackages ``import gemini_live`` used to load as a side effect, so ``gemini_live.errors`` worked
# without importing it: still reachable as attributes.
_SUBPACKAGES = frozenset({"client", "errors", "protocol"})


def __getattr__(name: str) -> object:
    """Load a public name's module on first use; old names still work, with a warning."""
    home = _HOME.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # the next lookup finds it without calling this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "ProtocolError":
        from gemini_live import errors

        return getattr(errors, name)  # warns there
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
