"""Validation of the ``setup`` message into a :class:`SessionConfig`.

Rejections mirror the service: unknown fields, wrong types and bad enum values close with 1007
(``Unknown name "x" at 'setup'...``); an unknown model (or a model name in the wrong form for the
platform) closes with 1008 ``Requested entity was not found.``; ``sessionResumption.transparent``
on a Google AI path closes with 1007. ``gemini-3.1-flash-live-preview`` rejects NON_BLOCKING
function declarations (1007), as reported for that model.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

from .schema import (
    ToolSet,
    check_enum,
    check_keys,
    content_text,
    parse_tools,
    require_dict,
    require_list,
)
from .wire import INVALID_ARGUMENT, NOT_FOUND, Reject, parse_bool, parse_int

__all__ = [
    "OLD_GOOGLE_AI",
    "Platform",
    "PlatformValue",
    "SessionConfig",
    "parse_setup",
    "resolve_model",
    "warn_old_spelling",
]

Platform = Literal["google_ai", "vertex"]
"""The platform of a served path, spelled as the values of ``gemini_live.Platform`` (which is a
``str`` enum, so the client's ``session.platform`` equals it). Not imported from the client: the
emulator depends on neither the client nor the protocol layer on purpose (a codec bug must not
hide twice); ``tests/client/test_connect_platforms.py`` pins that the two spellings agree."""

OLD_GOOGLE_AI = "googleai"
"""The emulator's spelling of ``"google_ai"`` before it adopted the client's (deprecated)."""


def warn_old_spelling(stacklevel: int = 3) -> None:
    """Warn that ``"googleai"`` was used (``stacklevel`` 3: the caller of the caller)."""
    warnings.warn(
        'the platform spelling "googleai" is deprecated: use "google_ai" (Platform.GOOGLE_AI)',
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class PlatformValue(str):
    """``EmulatedSession.platform``: ``"google_ai"`` or ``"vertex"``, a ``str`` in every respect
    except that, for one release, it also equals the emulator's older spelling ``"googleai"``
    (with a ``DeprecationWarning``; equality only, it hashes as ``"google_ai"``)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is str and other == OLD_GOOGLE_AI:
            warn_old_spelling()
            return str.__eq__(self, "google_ai")
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        if type(other) is str and other == OLD_GOOGLE_AI:
            warn_old_spelling()
            return str.__ne__(self, "google_ai")
        return str.__ne__(self, other)

    __hash__ = str.__hash__

SETUP_KEYS = frozenset(
    {
        "model",
        "generationConfig",
        "systemInstruction",
        "tools",
        "realtimeInputConfig",
        "sessionResumption",
        "contextWindowCompression",
        "inputAudioTranscription",
        "outputAudioTranscription",
        "proactivity",
        "historyConfig",
        "explicitVadSignal",
        "safetySettings",
        "avatarConfig",
        "labels",
    }
)
GENERATION_KEYS = frozenset(
    {
        "responseModalities",
        "temperature",
        "topP",
        "topK",
        "maxOutputTokens",
        "seed",
        "candidateCount",
        "presencePenalty",
        "frequencyPenalty",
        "mediaResolution",
        "speechConfig",
        "thinkingConfig",
        "enableAffectiveDialog",
        "translationConfig",
    }
)
# Fields of GenerationConfig that the proto marks as not supported by the Live API.
UNSUPPORTED_GENERATION_KEYS = frozenset(
    {
        "responseLogprobs",
        "responseMimeType",
        "logprobs",
        "responseSchema",
        "responseJsonSchema",
        "stopSequences",
        "routingConfig",
        "audioTimestamp",
    }
)
REALTIME_KEYS = frozenset(
    {
        "automaticActivityDetection",
        "activityHandling",
        "turnCoverage",
        "interimTranscriptTimestampEnabled",
    }
)
AAD_KEYS = frozenset(
    {
        "disabled",
        "startOfSpeechSensitivity",
        "endOfSpeechSensitivity",
        "prefixPaddingMs",
        "silenceDurationMs",
    }
)
MODALITIES = ("MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO", "VIDEO")
ACTIVITY_HANDLING = (
    "ACTIVITY_HANDLING_UNSPECIFIED",
    "START_OF_ACTIVITY_INTERRUPTS",
    "NO_INTERRUPTION",
)
TURN_COVERAGE = (
    "TURN_COVERAGE_UNSPECIFIED",
    "TURN_INCLUDES_ONLY_ACTIVITY",
    "TURN_INCLUDES_ALL_INPUT",
    "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
)
START_SENSITIVITY = (
    "START_SENSITIVITY_UNSPECIFIED",
    "START_SENSITIVITY_HIGH",
    "START_SENSITIVITY_LOW",
)
END_SENSITIVITY = ("END_SENSITIVITY_UNSPECIFIED", "END_SENSITIVITY_HIGH", "END_SENSITIVITY_LOW")

_VERTEX_MODEL = re.compile(
    r"^(?:projects/[^/]+/locations/[^/]+/)?publishers/google/models/([^/]+)$"
)


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """What the emulator needs from a validated ``setup`` (plus the normalised original)."""

    model: str
    platform: Platform
    modality: Literal["AUDIO", "TEXT"] = "AUDIO"
    system_instruction: str = ""
    tools: ToolSet = field(default_factory=ToolSet)
    input_transcription: bool = False
    output_transcription: bool = False
    automatic_activity_detection: bool = True
    start_sensitivity: str = "START_SENSITIVITY_HIGH"
    end_sensitivity: str = "END_SENSITIVITY_HIGH"
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None
    activity_handling: str = "START_OF_ACTIVITY_INTERRUPTS"
    resumption: bool = False
    handle: str | None = None
    transparent: bool = False
    compression: bool = False
    explicit_vad_signal: bool = False
    history_in_client_content: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def interrupts(self) -> bool:
        """Whether user activity cuts the model off (``activityHandling``)."""
        return self.activity_handling != "NO_INTERRUPTION"


def resolve_model(name: Any, platform: Platform, known: tuple[str, ...], *, strict: bool) -> str:
    """Return the bare model id of ``name``, or reject as the service does."""
    if not isinstance(name, str) or not name:
        raise Reject(1007, f"{INVALID_ARGUMENT} setup.model is required.")
    bare: str | None = None
    if platform == "vertex":
        match = _VERTEX_MODEL.match(name)
        if match:
            bare = match.group(1)
    elif name.startswith("models/"):
        bare = name[len("models/") :]
    if bare is None and not strict and "/" not in name:
        bare = name
    if bare is None or bare not in known:
        raise Reject(1008, NOT_FOUND)
    return bare


def _flag(setup: dict[str, Any], key: str) -> bool:
    if key not in setup:
        return False
    require_dict(setup[key], f"setup.{key}")
    return True


def parse_setup(
    setup: Any, platform: Platform, known_models: tuple[str, ...], *, strict_names: bool
) -> SessionConfig:
    """Validate a normalised ``setup`` body; raises :class:`~.wire.Reject` on a bad setup."""
    setup = require_dict(setup, "setup")
    check_keys(setup, SETUP_KEYS, "setup")
    model = resolve_model(setup.get("model"), platform, known_models, strict=strict_names)
    values: dict[str, Any] = {"model": model, "platform": platform, "raw": setup}

    gen = require_dict(setup.get("generationConfig", {}), "setup.generationConfig")
    for key in gen:
        if key in UNSUPPORTED_GENERATION_KEYS:
            raise Reject(1007, f"{INVALID_ARGUMENT} {key} is not supported by the Live API.")
    check_keys(gen, GENERATION_KEYS, "setup.generationConfig")
    modalities = require_list(
        gen.get("responseModalities", []), "setup.generationConfig.responseModalities"
    )
    for i, m in enumerate(modalities):
        check_enum(m, MODALITIES, f"setup.generationConfig.responseModalities[{i}]")
    if len(modalities) > 1:
        raise Reject(1007, f"{INVALID_ARGUMENT} Only one response modality is supported.")
    if modalities and modalities[0] == "TEXT":
        values["modality"] = "TEXT"
    if "maxOutputTokens" in gen:
        parse_int(gen["maxOutputTokens"], path="setup.generation_config.max_output_tokens")

    if "systemInstruction" in setup:
        si = require_dict(setup["systemInstruction"], "setup.systemInstruction")
        values["system_instruction"] = content_text(si, "setup.systemInstruction")
    if "tools" in setup:
        values["tools"] = parse_tools(setup["tools"], "setup.tools")
    if model == "gemini-3.1-flash-live-preview" and any(
        d.behavior == "NON_BLOCKING" for d in values.get("tools", ToolSet()).functions
    ):
        raise Reject(1007, f"{INVALID_ARGUMENT} NON_BLOCKING functions are not supported.")
    values["input_transcription"] = _flag(setup, "inputAudioTranscription")
    values["output_transcription"] = _flag(setup, "outputAudioTranscription")

    rt = require_dict(setup.get("realtimeInputConfig", {}), "setup.realtimeInputConfig")
    check_keys(rt, REALTIME_KEYS, "setup.realtimeInputConfig")
    _parse_realtime_config(rt, values)

    if "sessionResumption" in setup:
        sr = require_dict(setup["sessionResumption"], "setup.sessionResumption")
        check_keys(sr, ("handle", "transparent"), "setup.sessionResumption")
        values["resumption"] = True
        handle = sr.get("handle")
        if handle is not None and not isinstance(handle, str):
            raise Reject(1007, f"Invalid value at 'setup.session_resumption.handle', {handle!r}")
        values["handle"] = handle or None
        transparent = parse_bool(
            sr.get("transparent", False), path="setup.session_resumption.transparent"
        )
        if transparent and platform != "vertex":
            raise Reject(1007, "transparent parameter is not supported in Gemini API.")
        values["transparent"] = transparent

    if "contextWindowCompression" in setup:
        cw = require_dict(setup["contextWindowCompression"], "setup.contextWindowCompression")
        check_keys(cw, ("triggerTokens", "slidingWindow"), "setup.contextWindowCompression")
        if "triggerTokens" in cw:
            parse_int(cw["triggerTokens"], path="setup.context_window_compression.trigger_tokens")
        sw = require_dict(
            cw.get("slidingWindow", {}), "setup.contextWindowCompression.slidingWindow"
        )
        check_keys(sw, ("targetTokens",), "setup.contextWindowCompression.slidingWindow")
        if "targetTokens" in sw:
            parse_int(
                sw["targetTokens"],
                path="setup.context_window_compression.sliding_window.target_tokens",
            )
        values["compression"] = True

    if "historyConfig" in setup:
        hc = require_dict(setup["historyConfig"], "setup.historyConfig")
        check_keys(hc, ("initialHistoryInClientContent",), "setup.historyConfig")
        values["history_in_client_content"] = parse_bool(
            hc.get("initialHistoryInClientContent", False),
            path="setup.history_config.initial_history_in_client_content",
        )
    if "explicitVadSignal" in setup:
        values["explicit_vad_signal"] = parse_bool(
            setup["explicitVadSignal"], path="setup.explicit_vad_signal"
        )
    for key in ("proactivity", "avatarConfig", "labels"):
        if key in setup:
            require_dict(setup[key], f"setup.{key}")
    if "safetySettings" in setup:
        require_list(setup["safetySettings"], "setup.safetySettings")
    return SessionConfig(**values)


def _parse_realtime_config(rt: dict[str, Any], values: dict[str, Any]) -> None:
    aad = require_dict(
        rt.get("automaticActivityDetection", {}),
        "setup.realtimeInputConfig.automaticActivityDetection",
    )
    path = "setup.realtimeInputConfig.automaticActivityDetection"
    check_keys(aad, AAD_KEYS, path)
    if "disabled" in aad:
        disabled = parse_bool(
            aad["disabled"],
            path="setup.realtime_input_config.automatic_activity_detection.disabled",
        )
        values["automatic_activity_detection"] = not disabled
    start = check_enum(
        aad.get("startOfSpeechSensitivity", "START_SENSITIVITY_UNSPECIFIED"),
        START_SENSITIVITY,
        f"{path}.startOfSpeechSensitivity",
    )
    if start != "START_SENSITIVITY_UNSPECIFIED":
        values["start_sensitivity"] = start
    end = check_enum(
        aad.get("endOfSpeechSensitivity", "END_SENSITIVITY_UNSPECIFIED"),
        END_SENSITIVITY,
        f"{path}.endOfSpeechSensitivity",
    )
    if end != "END_SENSITIVITY_UNSPECIFIED":
        values["end_sensitivity"] = end
    snake = "setup.realtime_input_config.automatic_activity_detection"
    if "prefixPaddingMs" in aad:
        values["prefix_padding_ms"] = parse_int(
            aad["prefixPaddingMs"], path=f"{snake}.prefix_padding_ms"
        )
    if "silenceDurationMs" in aad:
        values["silence_duration_ms"] = parse_int(
            aad["silenceDurationMs"], path=f"{snake}.silence_duration_ms"
        )
    handling = check_enum(
        rt.get("activityHandling", "ACTIVITY_HANDLING_UNSPECIFIED"),
        ACTIVITY_HANDLING,
        "setup.realtimeInputConfig.activityHandling",
    )
    if handling == "NO_INTERRUPTION":
        values["activity_handling"] = handling
    if "turnCoverage" in rt:
        check_enum(rt["turnCoverage"], TURN_COVERAGE, "setup.realtimeInputConfig.turnCoverage")
