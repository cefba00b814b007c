"""The public surface of ``gemini_live``: pinned names, documented members, deprecated names.

Changing the exported names is a decision: this list must be edited with it (and the
changelog). Old names keep working for one release with a ``DeprecationWarning``.
"""

from __future__ import annotations

import enum
import inspect
import re
import typing
import warnings

import pytest

import gemini_live

EXPORTED = {
    # opening a session
    "connect", "Connecting", "Session", "SessionStatistics", "SessionWriter", "Subscription",
    "OverflowPolicy", "ApiKey", "EphemeralToken", "Vertex", "Credentials", "TokenProvider",
    "PlatformName", "Timeouts", "SessionOptions", "TransportOptions", "RetryPolicy",
    "ExponentialBackoff", "Phase", "UnconfirmedMessage",
    # what a RetryPolicy of your own is given
    "Failure", "FailureKind", "Verdict",
    # writers that compose
    "RecordedCall", "RecordingWriter", "TeeWriter",
    # configuration
    "LiveConfig", "Platform", "GenerationConfig", "SpeechConfig", "ThinkingConfig",
    "ThinkingLevel", "TranslationConfig", "Modality", "MediaResolution", "RealtimeInputConfig",
    "AutomaticActivityDetection", "StartSensitivity", "EndSensitivity", "ActivityHandling",
    "TurnCoverage", "AudioTranscriptionConfig", "ContextWindowCompression", "SlidingWindow",
    "SessionResumptionConfig", "Proactivity", "HistoryConfig", "SafetySetting", "AvatarConfig",
    "CustomizedAvatar", "Content", "Part", "Blob", "Tool", "FunctionDeclaration",
    "FunctionResponse", "Behavior", "Scheduling",
    # events
    "Event", "SetupComplete", "TextDelta", "AudioChunk", "Thought", "ExecutableCode",
    "CodeExecutionResult", "InputTranscription", "InterimInputTranscription",
    "OutputTranscription", "Interrupted", "GenerationComplete", "TurnComplete",
    "WaitingForInput", "GroundingMetadata", "UrlContextMetadata", "FunctionCall", "ToolCall",
    "ToolCallCancellation", "GoAway", "ResumptionUpdate", "VoiceActivity", "VadSignal", "Usage",
    "ModalityTokens", "UnknownMessage", "ProtocolViolation", "PhaseChanged", "Disconnected",
    "Reconnecting", "Resumed", "InputDropped", "SessionWarning",
    # errors
    "LiveError", "ConfigError", "ConnectError", "AuthenticationError", "SetupRejected",
    "SetupTimeout", "SessionClosed", "SessionBroken", "SendQueueFull", "SubscriberOverflow",
    "LiveTimeout", "ClosedBy", "AudioDeviceError",
    "__version__",
}  # fmt: skip

ALIASES = {"Credentials", "TokenProvider", "OverflowPolicy", "PlatformName", "ClosedBy", "Event"}


def test_exported_names_are_pinned() -> None:
    assert set(gemini_live.__all__) == EXPORTED
    assert len(gemini_live.__all__) == len(EXPORTED)  # no duplicates
    for name in gemini_live.__all__:
        assert hasattr(gemini_live, name), name


def test_every_event_class_is_exported() -> None:
    for member in typing.get_args(gemini_live.Event):
        assert getattr(gemini_live, member.__name__) is member


def _public_members(obj: type) -> list[tuple[str, object]]:
    """Public methods and properties, inherited ones included (from our own classes)."""
    members: dict[str, object] = {}
    for cls in reversed(obj.__mro__):
        if not cls.__module__.startswith("gemini_live"):
            continue
        for name, value in vars(cls).items():
            if name.startswith("_") or (isinstance(obj, enum.EnumMeta) and name in obj.__members__):
                continue
            if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(
                value
            ):
                members[name] = value
    return list(members.items())


@pytest.mark.parametrize("name", sorted(EXPORTED - ALIASES - {"__version__"}))
def test_every_exported_name_and_its_public_members_have_docstrings(name: str) -> None:
    obj = getattr(gemini_live, name)
    # Own docstring only: an inherited one (Enum's, Exception's) says nothing about this name.
    doc = (vars(obj).get("__doc__") if inspect.isclass(obj) else inspect.getdoc(obj)) or ""
    # A dataclass without a docstring gets its signature as __doc__: that does not count.
    assert doc and not doc.startswith(f"{name}("), f"{name} has no docstring"
    if inspect.isclass(obj) and obj.__module__.startswith("gemini_live"):
        for member, value in _public_members(obj):
            target = value.__func__ if isinstance(value, staticmethod | classmethod) else value
            assert getattr(target, "__doc__", None), f"{name}.{member} has no docstring"


@pytest.mark.parametrize("name", sorted(EXPORTED - ALIASES - {"__version__"}))
def test_docstrings_cite_no_section_numbers_of_outside_documents(name: str) -> None:
    obj = getattr(gemini_live, name)
    texts = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        texts += [getattr(v, "__doc__", None) or "" for _, v in _public_members(obj)]
    for text in texts:
        assert "§" not in text and "live-api.md" not in text, name
        assert not re.search(r"section \d", text), name


def test_the_error_tree() -> None:
    assert issubclass(gemini_live.SetupTimeout, gemini_live.LiveTimeout)
    assert issubclass(gemini_live.SetupTimeout, gemini_live.SetupRejected)
    assert issubclass(gemini_live.LiveTimeout, TimeoutError)
    assert issubclass(gemini_live.ConfigError, ValueError)
    for name in EXPORTED - ALIASES:
        obj = getattr(gemini_live, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            assert issubclass(obj, gemini_live.LiveError), name


def test_protocol_error_still_works_for_one_release_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="never raised"):
        old = gemini_live.ProtocolError  # type: ignore[attr-defined]
    assert issubclass(old, gemini_live.LiveError)
    with pytest.warns(DeprecationWarning):
        from gemini_live.errors import ProtocolError  # noqa: F401
    with pytest.raises(AttributeError):
        gemini_live.NoSuchName  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_package_warns_about_nothing() -> None:
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.reload(gemini_live)
