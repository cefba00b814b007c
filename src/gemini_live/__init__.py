"""gemini-live: a fast, resilient asyncio client for the Gemini Multimodal Live API.

::

    import gemini_live
    from gemini_live import AudioTranscriptionConfig, LiveConfig, OutputTranscription, TurnComplete

    # Live models answer in audio; the transcription of that audio is the text to print.
    config = LiveConfig(output_audio_transcription=AudioTranscriptionConfig())
    async with gemini_live.connect("gemini-3.8-live", config=config) as session:
        events = session.events()
        await session.send_text("Hello!")
        async for event in events:
            match event:
                case OutputTranscription(text=text): print(text, end="")
                case TurnComplete(): break

The write side is :class:`SessionWriter`; the read side is ``session.events()``; errors are
drawn in :mod:`gemini_live.errors`; the offline emulator is :mod:`gemini_live.testing`.
"""

from gemini_live.client.connect import connect
from gemini_live.client.options import SessionOptions
from gemini_live.client.session import Session, SessionStatistics
from gemini_live.client.transport import TransportOptions
from gemini_live.client.writer import RecordedCall, RecordingWriter, SessionWriter, TeeWriter
from gemini_live.errors import (
    AuthenticationError,
    ConfigError,
    ConnectError,
    LiveError,
    LiveTimeout,
    ProtocolError,
    SendQueueFull,
    SessionBroken,
    SessionClosed,
    SetupRejected,
    SetupTimeout,
    SubscriberOverflow,
)
from gemini_live.protocol.config import (
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    ContextWindowCompression,
    GenerationConfig,
    LiveConfig,
    Platform,
    RealtimeInputConfig,
    SessionResumptionConfig,
    SpeechConfig,
)
from gemini_live.protocol.events import (
    AudioChunk,
    Disconnected,
    Event,
    FunctionCall,
    GenerationComplete,
    GoAway,
    InputDropped,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
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
    UnknownMessage,
    Usage,
    VoiceActivity,
)
from gemini_live.protocol.phases import Phase
from gemini_live.protocol.retry import ExponentialBackoff, RetryPolicy
from gemini_live.protocol.types import Content, FunctionDeclaration, FunctionResponse, Part, Tool

__version__ = "0.1.0"

__all__ = [
    "AudioChunk",
    "AudioTranscriptionConfig",
    "AuthenticationError",
    "AutomaticActivityDetection",
    "ConfigError",
    "ConnectError",
    "Content",
    "ContextWindowCompression",
    "Disconnected",
    "Event",
    "ExponentialBackoff",
    "FunctionCall",
    "FunctionDeclaration",
    "FunctionResponse",
    "GenerationComplete",
    "GenerationConfig",
    "GoAway",
    "InputDropped",
    "InputTranscription",
    "InterimInputTranscription",
    "Interrupted",
    "LiveConfig",
    "LiveError",
    "LiveTimeout",
    "OutputTranscription",
    "Part",
    "Phase",
    "PhaseChanged",
    "Platform",
    "ProtocolError",
    "ProtocolViolation",
    "RealtimeInputConfig",
    "Reconnecting",
    "RecordedCall",
    "RecordingWriter",
    "Resumed",
    "ResumptionUpdate",
    "RetryPolicy",
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
    "SpeechConfig",
    "SubscriberOverflow",
    "TeeWriter",
    "TextDelta",
    "Thought",
    "Tool",
    "ToolCall",
    "ToolCallCancellation",
    "TransportOptions",
    "TurnComplete",
    "UnknownMessage",
    "Usage",
    "VoiceActivity",
    "__version__",
    "connect",
]
