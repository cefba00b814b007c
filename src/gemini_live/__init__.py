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


def __getattr__(name: str) -> object:
    """Names that still work for one release, with a ``DeprecationWarning``."""
    if name == "ProtocolError":
        from gemini_live import errors

        return getattr(errors, name)  # warns there
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

