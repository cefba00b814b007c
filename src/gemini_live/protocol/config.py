"""Session configuration: everything ``setup`` can carry, plus checks the service would fail.

Each dataclass mirrors one wire object; attribute names are the snake_case of the wire keys, so
the encoder derives the wire form from the fields (``SpeechConfig`` is flattened for convenience,
and fields marked ``local`` never go on the wire). ``None`` means "not set": unset fields are not
sent, so ``LiveConfig()`` produces a setup with just the model.

Enum-valued fields take the ``StrEnum`` members below or any ``str``, because the service keeps
adding values. :func:`validate_config` rejects combinations the service is known to refuse (with
a 1007/1008 close, which would otherwise surface only after connecting).
"""

from __future__ import annotations

import dataclasses
import enum
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

from gemini_live.errors import ConfigError
from gemini_live.protocol._shared_methods import share_methods
from gemini_live.protocol.types import (
    Content,
    Tool,
    as_tuple,
    coerce_content,
    coerce_tools,
    type_name,
)

__all__ = [
    "ActivityHandling",
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "AvatarConfig",
    "ContextWindowCompression",
    "CustomizedAvatar",
    "EndSensitivity",
    "GenerationConfig",
    "HistoryConfig",
    "LiveConfig",
    "MediaResolution",
    "Modality",
    "Platform",
    "PlatformName",
    "Proactivity",
    "RealtimeInputConfig",
    "SafetySetting",
    "SessionResumptionConfig",
    "SlidingWindow",
    "SpeechConfig",
    "StartSensitivity",
    "ThinkingConfig",
    "ThinkingLevel",
    "TranslationConfig",
    "TurnCoverage",
    "platform_of",
    "validate_config",
]

INT64: dict[str, Any] = {"int64": True}  # sent as a decimal string (proto3 JSON int64)
LOCAL: dict[str, Any] = {"local": True}  # configures this library, never sent


PlatformName = Literal["google_ai", "vertex"]
"""The values of :class:`Platform`, as ``connect(platform=...)`` also takes them."""

# The emulator's spelling before the client's was adopted everywhere; accepted, with a
# DeprecationWarning, for one release.
_OLD_GOOGLE_AI = "googleai"


class Platform(enum.StrEnum):
    """Which flavour of the Live API a session speaks: Google AI (the Gemini Developer API) or
    Vertex AI. One spelling everywhere: ``connect(platform=...)`` takes these members or their
    values ``"google_ai"``/``"vertex"``, ``Session.platform`` is a member, and the emulator's
    ``url_for()`` and ``EmulatedSession.platform`` use the same values. A ``str`` enum: a member
    equals its value, so ``session.platform == "vertex"`` and
    ``session.platform == emulator.last_session.platform`` hold.

    Deprecated: ``Platform("googleai")`` (the emulator's older spelling) still returns
    ``GOOGLE_AI``, with a ``DeprecationWarning``.
    """

    GOOGLE_AI = "google_ai"
    VERTEX = "vertex"

    @classmethod
    def _missing_(cls, value: object) -> Platform | None:
        if value == _OLD_GOOGLE_AI:
            _warn_old_spelling(5)  # past _missing_, Enum.__new__ and EnumType.__call__
            return cls.GOOGLE_AI
        return None


def _warn_old_spelling(stacklevel: int) -> None:
    warnings.warn(
        'the platform spelling "googleai" is deprecated: use "google_ai" (Platform.GOOGLE_AI)',
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def platform_of(value: Platform | str, *, stacklevel: int = 2) -> Platform:
    """``value`` as a :class:`Platform`; ``ConfigError`` if it names none.

    The deprecated ``"googleai"`` warns ``stacklevel`` frames up (2: the caller), so that the
    warning points at the application's line (Python shows it by default only there).
    """
    if value == _OLD_GOOGLE_AI:
        _warn_old_spelling(stacklevel + 1)
        return Platform.GOOGLE_AI
    try:
        return Platform(value)
    except ValueError:
        raise ConfigError(f"platform must be 'google_ai' or 'vertex', not {value!r}") from None


class Modality(enum.StrEnum):
    """A kind of content: what ``response_modalities`` asks for and usage details count."""

    MODALITY_UNSPECIFIED = "MODALITY_UNSPECIFIED"
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"
    VIDEO = "VIDEO"


class MediaResolution(enum.StrEnum):
    """Resolution at which the model reads images and video frames."""

    MEDIA_RESOLUTION_UNSPECIFIED = "MEDIA_RESOLUTION_UNSPECIFIED"
    MEDIA_RESOLUTION_LOW = "MEDIA_RESOLUTION_LOW"
    MEDIA_RESOLUTION_MEDIUM = "MEDIA_RESOLUTION_MEDIUM"
    MEDIA_RESOLUTION_HIGH = "MEDIA_RESOLUTION_HIGH"


class ThinkingLevel(enum.StrEnum):
    """How much the model thinks before answering (models that support levels)."""

    THINKING_LEVEL_UNSPECIFIED = "THINKING_LEVEL_UNSPECIFIED"
    MINIMAL = "MINIMAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    XHIGH = "XHIGH"


class StartSensitivity(enum.StrEnum):
    """How readily automatic voice activity detection decides speech started."""

    START_SENSITIVITY_UNSPECIFIED = "START_SENSITIVITY_UNSPECIFIED"
    START_SENSITIVITY_HIGH = "START_SENSITIVITY_HIGH"
    START_SENSITIVITY_LOW = "START_SENSITIVITY_LOW"


class EndSensitivity(enum.StrEnum):
    """How readily automatic voice activity detection decides speech ended."""

    END_SENSITIVITY_UNSPECIFIED = "END_SENSITIVITY_UNSPECIFIED"
    END_SENSITIVITY_HIGH = "END_SENSITIVITY_HIGH"
    END_SENSITIVITY_LOW = "END_SENSITIVITY_LOW"


class ActivityHandling(enum.StrEnum):
    """Whether user activity interrupts the model (barge-in) or not."""

    ACTIVITY_HANDLING_UNSPECIFIED = "ACTIVITY_HANDLING_UNSPECIFIED"
    START_OF_ACTIVITY_INTERRUPTS = "START_OF_ACTIVITY_INTERRUPTS"
    NO_INTERRUPTION = "NO_INTERRUPTION"


class TurnCoverage(enum.StrEnum):
    """Which real-time input counts towards the user's turn."""

    TURN_COVERAGE_UNSPECIFIED = "TURN_COVERAGE_UNSPECIFIED"
    TURN_INCLUDES_ONLY_ACTIVITY = "TURN_INCLUDES_ONLY_ACTIVITY"
    TURN_INCLUDES_ALL_INPUT = "TURN_INCLUDES_ALL_INPUT"
    TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO = "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"


# --- generationConfig ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """``speechConfig``; ``voice_name`` is ``voiceConfig.prebuiltVoiceConfig.voiceName``.
    ``multi_speaker_voice_config`` exists in the schema but Live rejects it."""

    voice_name: str | None = None
    language_code: str | None = None
    multi_speaker_voice_config: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ThinkingConfig:
    """Set a budget (2.5 models) or a level (3.1), not both; omit entirely for 3.8."""

    thinking_budget: int | None = None
    thinking_level: ThinkingLevel | str | None = None
    include_thoughts: bool | None = None


@dataclass(frozen=True, slots=True)
class TranslationConfig:
    """Speech-to-speech translation (Gemini API, translate model)."""

    target_language_code: str | None = None
    echo_target_language: bool | None = None


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    """How the model generates: output modality, sampling, voice, thinking, translation."""

    response_modalities: tuple[Modality | str, ...] | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_output_tokens: int | None = None
    seed: int | None = None
    candidate_count: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    media_resolution: MediaResolution | str | None = None
    speech_config: SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None
    translation_config: TranslationConfig | None = None

    def __post_init__(self) -> None:
        if self.response_modalities is not None:
            where = "GenerationConfig.response_modalities"
            object.__setattr__(
                self, "response_modalities", as_tuple(self.response_modalities, str, where)
            )


# --- realtimeInputConfig -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AutomaticActivityDetection:
    """Server-side VAD. ``disabled=True`` means the client sends activityStart/activityEnd."""

    disabled: bool | None = None
    start_of_speech_sensitivity: StartSensitivity | str | None = None
    end_of_speech_sensitivity: EndSensitivity | str | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


@dataclass(frozen=True, slots=True)
class RealtimeInputConfig:
    """How real-time input is handled: voice activity detection, barge-in, turn coverage."""

    automatic_activity_detection: AutomaticActivityDetection | None = None
    activity_handling: ActivityHandling | str | None = None
    turn_coverage: TurnCoverage | str | None = None
    interim_transcript_timestamp_enabled: bool | None = None


# --- other setup objects -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AudioTranscriptionConfig:
    """Present means transcription is on; ``language_codes`` are optional BCP-47 hints."""

    language_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = "AudioTranscriptionConfig.language_codes"
        object.__setattr__(self, "language_codes", as_tuple(self.language_codes, str, where))


@dataclass(frozen=True, slots=True)
class SlidingWindow:
    """Context compression by a sliding window (``target_tokens`` kept after compressing)."""

    target_tokens: int | None = field(default=None, metadata=INT64)


@dataclass(frozen=True, slots=True)
class ContextWindowCompression:
    """Lifts the session length limits. ``sliding_window`` is present by default because the
    service has been reported to need it."""

    trigger_tokens: int | None = field(default=None, metadata=INT64)
    sliding_window: SlidingWindow | None = SlidingWindow()


@dataclass(frozen=True, slots=True)
class SessionResumptionConfig:
    """``enabled=False`` keeps ``sessionResumption`` off the wire (no resumable handles).
    ``transparent`` is Vertex only."""

    enabled: bool = field(default=True, metadata=LOCAL)
    handle: str | None = None
    transparent: bool | None = None


@dataclass(frozen=True, slots=True)
class Proactivity:
    """``proactive_video`` requires ``proactive_audio``."""

    proactive_audio: bool | None = None
    proactive_video: bool | None = None


@dataclass(frozen=True, slots=True)
class HistoryConfig:
    """``initial_history_in_client_content=True``: seed history with clientContent first."""

    initial_history_in_client_content: bool | None = None


@dataclass(frozen=True, slots=True)
class SafetySetting:
    """HarmCategory and threshold names as strings; ``method`` is Vertex only."""

    category: str
    threshold: str
    method: str | None = None


@dataclass(frozen=True, slots=True)
class CustomizedAvatar:
    """An avatar made from the application's own image."""

    image_mime_type: str
    image_data: bytes


@dataclass(frozen=True, slots=True)
class AvatarConfig:
    """Vertex ``gemini-3.8-live`` avatar (with ``response_modalities=("VIDEO",)``)."""

    avatar_name: str | None = None
    customized_avatar: CustomizedAvatar | None = None
    audio_bitrate_bps: int | None = None
    video_bitrate_bps: int | None = None


# --- LiveConfig -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveConfig:
    """Everything ``setup`` carries except the model.

    ``system_instruction`` also accepts a ``str`` (stored as a user-role Content with one text
    part) or a wire dict; ``tools`` accepts any sequence of Tool or wire dicts (stored as a tuple
    of Tool). ``session_resumption=None`` leaves the choice to the client layer.
    ``input_audio_rate`` is not sent: it is the rate declared in the input audio MIME type.
    """

    generation_config: GenerationConfig | None = None
    system_instruction: Content | str | None = None
    tools: tuple[Tool, ...] = ()
    realtime_input_config: RealtimeInputConfig | None = None
    session_resumption: SessionResumptionConfig | None = None
    context_window_compression: ContextWindowCompression | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    proactivity: Proactivity | None = None
    history_config: HistoryConfig | None = None
    explicit_vad_signal: bool | None = None
    safety_settings: tuple[SafetySetting, ...] = ()
    avatar_config: AvatarConfig | None = None
    labels: dict[str, str] | None = None
    input_audio_rate: int = field(default=16_000, metadata=LOCAL)

    def __post_init__(self) -> None:
        instruction = self.system_instruction
        if isinstance(instruction, str):
            instruction = Content.from_text(instruction, role="user")
        elif instruction is not None:
            instruction = coerce_content(instruction, where="LiveConfig.system_instruction")
        object.__setattr__(self, "system_instruction", instruction)
        object.__setattr__(self, "tools", coerce_tools(self.tools, where="LiveConfig.tools"))
        settings = as_tuple(self.safety_settings, SafetySetting, "LiveConfig.safety_settings")
        object.__setattr__(self, "safety_settings", settings)
        rate = self.input_audio_rate
        if isinstance(rate, bool) or not isinstance(rate, int):
            raise TypeError(f"LiveConfig.input_audio_rate must be int; got {type_name(rate)}")

    @property
    def automatic_activity_detection_enabled(self) -> bool:
        """True unless ``realtime_input_config.automatic_activity_detection.disabled`` is True."""
        ric = self.realtime_input_config
        aad = ric.automatic_activity_detection if ric is not None else None
        return not (aad is not None and aad.disabled is True)

    @property
    def session_resumption_enabled(self) -> bool:
        """Whether ``sessionResumption`` will be sent (False when unset or disabled)."""
        return self.session_resumption is not None and self.session_resumption.enabled

    @property
    def input_audio_mime_type(self) -> str:
        """The MIME type of the audio the session sends (PCM16 at ``input_audio_rate``)."""
        return f"audio/pcm;rate={self.input_audio_rate}"

    def with_resumption_handle(self, handle: str | None) -> LiveConfig:
        """A copy that resumes from ``handle`` (``None``: fresh session). Resumption is switched
        on, keeping ``transparent`` as configured."""
        current = self.session_resumption or SessionResumptionConfig()
        resumption = dataclasses.replace(current, enabled=True, handle=handle)
        return dataclasses.replace(self, session_resumption=resumption)


def validate_config(config: LiveConfig, platform: Platform) -> None:
    """Raise ConfigError listing every setting ``platform`` is known to reject."""
    problems: list[str] = []
    google = platform is Platform.GOOGLE_AI
    gen = config.generation_config or GenerationConfig()
    if gen.response_modalities is not None and len(gen.response_modalities) > 1:
        problems.append(
            "generation_config.response_modalities: one modality per session "
            f"(got {list(map(str, gen.response_modalities))}); for text with audio, turn on "
            "output_audio_transcription"
        )
    if gen.temperature is not None and not 0.0 <= gen.temperature <= 2.0:
        problems.append(f"generation_config.temperature must be in [0, 2]; got {gen.temperature}")
    if gen.top_p is not None and not 0.0 <= gen.top_p <= 1.0:
        problems.append(f"generation_config.top_p must be in [0, 1]; got {gen.top_p}")
    if gen.speech_config is not None and gen.speech_config.multi_speaker_voice_config is not None:
        problems.append(
            "generation_config.speech_config: multi-speaker voices are not supported in Live"
        )
    thinking = gen.thinking_config
    if thinking is not None:
        if thinking.thinking_budget is not None and thinking.thinking_level is not None:
            problems.append(
                "generation_config.thinking_config: set thinking_budget (2.5 models) or "
                "thinking_level (3.x models), not both"
            )
        if thinking.thinking_budget is not None and thinking.thinking_budget < -1:
            problems.append(
                "thinking_config.thinking_budget must be -1 (auto), 0 (off) or positive"
            )
    if gen.translation_config is not None and not google:
        problems.append("generation_config.translation_config is Gemini API only (not Vertex)")

    ric = config.realtime_input_config
    aad = ric.automatic_activity_detection if ric is not None else None
    if aad is not None:
        for name in ("prefix_padding_ms", "silence_duration_ms"):
            value = getattr(aad, name)
            if value is not None and value < 0:
                problems.append(f"automatic_activity_detection.{name} must be >= 0; got {value}")

    resumption = config.session_resumption
    if resumption is not None and resumption.enabled:
        if resumption.transparent and google:
            problems.append(
                "session_resumption.transparent is Vertex only (the Gemini API closes with 1007)"
            )
        if resumption.handle is not None and not resumption.handle:
            problems.append("session_resumption.handle must be a non-empty str or None")
    cwc = config.context_window_compression
    if cwc is not None:
        target = cwc.sliding_window.target_tokens if cwc.sliding_window is not None else None
        for name, value in (("trigger_tokens", cwc.trigger_tokens), ("target_tokens", target)):
            if value is not None and value < 0:
                problems.append(f"context_window_compression.{name} must be >= 0; got {value}")
    proactivity = config.proactivity
    if proactivity is not None and proactivity.proactive_video and not proactivity.proactive_audio:
        problems.append("proactivity.proactive_video requires proactive_audio=True")
    if config.explicit_vad_signal and google:
        problems.append("explicit_vad_signal is Vertex only")
    if google and any(s.method is not None for s in config.safety_settings):
        problems.append("safety_settings[].method is Vertex only")
    if google and config.avatar_config is not None:
        problems.append("avatar_config is Vertex only")
    if config.input_audio_rate <= 0:
        problems.append(
            f"input_audio_rate must be a positive number of Hz; got {config.input_audio_rate}"
        )
    if problems:
        raise ConfigError(f"invalid LiveConfig for {platform.name}: " + "; ".join(problems))


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)
