"""LiveConfig defaults, conveniences and validate_config's known-rejected combinations."""

from __future__ import annotations

import json

import pytest

from gemini_live.errors import ConfigError
from gemini_live.protocol.config import (
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    AvatarConfig,
    ContextWindowCompression,
    GenerationConfig,
    LiveConfig,
    Modality,
    Platform,
    Proactivity,
    RealtimeInputConfig,
    SafetySetting,
    SessionResumptionConfig,
    SlidingWindow,
    SpeechConfig,
    ThinkingConfig,
    ThinkingLevel,
    TranslationConfig,
    validate_config,
)
from gemini_live.protocol.encode import encode
from gemini_live.protocol.messages import Setup
from gemini_live.protocol.types import Content, Part, Tool

GOOGLE = Platform.GOOGLE_AI
VERTEX = Platform.VERTEX


def _setup_wire(config: LiveConfig) -> dict[str, object]:
    wire = json.loads(encode(Setup("models/m", config)))
    assert list(wire) == ["setup"]
    return wire["setup"]  # type: ignore[no-any-return]


def test_empty_config_sends_only_the_model() -> None:
    assert _setup_wire(LiveConfig()) == {"model": "models/m"}
    assert Setup("models/m").config == LiveConfig()


def test_defaults() -> None:
    config = LiveConfig()
    assert config.input_audio_rate == 16_000
    assert config.input_audio_mime_type == "audio/pcm;rate=16000"
    assert config.automatic_activity_detection_enabled is True
    assert config.session_resumption_enabled is False
    assert config.session_resumption is None  # the client layer decides the default
    assert config.tools == ()
    validate_config(config, GOOGLE)
    validate_config(config, VERTEX)


def test_unset_fields_are_not_sent() -> None:
    config = LiveConfig(
        generation_config=GenerationConfig(temperature=0.0),
        realtime_input_config=RealtimeInputConfig(
            automatic_activity_detection=AutomaticActivityDetection()
        ),
    )
    assert _setup_wire(config) == {
        "model": "models/m",
        "generationConfig": {"temperature": 0.0},
        "realtimeInputConfig": {"automaticActivityDetection": {}},
    }


def test_input_audio_rate_is_local_and_sets_the_mime_type() -> None:
    config = LiveConfig(input_audio_rate=48_000)
    assert _setup_wire(config) == {"model": "models/m"}
    assert config.input_audio_mime_type == "audio/pcm;rate=48000"


@pytest.mark.parametrize(("disabled", "expected"), [(None, True), (False, True), (True, False)])
def test_automatic_activity_detection_enabled(disabled: bool | None, expected: bool) -> None:
    aad = AutomaticActivityDetection(disabled=disabled)
    config = LiveConfig(realtime_input_config=RealtimeInputConfig(automatic_activity_detection=aad))
    assert config.automatic_activity_detection_enabled is expected
    assert LiveConfig(
        realtime_input_config=RealtimeInputConfig()
    ).automatic_activity_detection_enabled


def test_session_resumption_switch() -> None:
    off = LiveConfig(session_resumption=SessionResumptionConfig(enabled=False, handle="h"))
    assert off.session_resumption_enabled is False
    assert "sessionResumption" not in _setup_wire(off)
    on = LiveConfig(session_resumption=SessionResumptionConfig())
    assert on.session_resumption_enabled is True
    assert _setup_wire(on)["sessionResumption"] == {}


def test_with_resumption_handle() -> None:
    base = LiveConfig(session_resumption=SessionResumptionConfig(transparent=True))
    resumed = base.with_resumption_handle("h-2")
    assert resumed.session_resumption == SessionResumptionConfig(handle="h-2", transparent=True)
    assert base.session_resumption is not None and base.session_resumption.handle is None
    fresh = LiveConfig().with_resumption_handle(None)
    assert fresh.session_resumption_enabled
    assert _setup_wire(fresh)["sessionResumption"] == {}
    assert _setup_wire(LiveConfig().with_resumption_handle("abc"))["sessionResumption"] == {
        "handle": "abc"
    }


def test_system_instruction_str_becomes_user_content() -> None:
    config = LiveConfig(system_instruction="Be brief.")
    assert config.system_instruction == Content(parts=(Part(text="Be brief."),), role="user")
    from_dict = LiveConfig(system_instruction={"parts": [{"text": "x"}]})  # type: ignore[arg-type]
    assert from_dict.system_instruction == Content(parts=(Part(text="x"),))


def test_containers_become_tuples() -> None:
    config = LiveConfig(
        tools=[{"googleSearch": {}}],  # type: ignore[arg-type]
        safety_settings=[SafetySetting("C", "T")],  # type: ignore[arg-type]
        generation_config=GenerationConfig(response_modalities=["AUDIO"]),  # type: ignore[arg-type]
        input_audio_transcription=AudioTranscriptionConfig(["en-US"]),  # type: ignore[arg-type]
    )
    assert config.tools == (Tool(google_search=True),)
    assert config.safety_settings == (SafetySetting("C", "T"),)
    assert config.generation_config is not None
    assert config.generation_config.response_modalities == (Modality.AUDIO,)
    assert config.input_audio_transcription == AudioTranscriptionConfig(("en-US",))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tools": "googleSearch"}, "LiveConfig.tools must be a list or tuple"),
        ({"safety_settings": [{"category": "C"}]}, "safety_settings[0] must be SafetySetting"),
        ({"input_audio_rate": 16_000.0}, "input_audio_rate must be int; got float"),
        ({"system_instruction": 5}, "LiveConfig.system_instruction must be Content or a dict"),
    ],
)
def test_construction_type_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError) as info:
        LiveConfig(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_response_modalities_must_not_be_a_bare_string() -> None:
    with pytest.raises(TypeError, match="response_modalities must be a list or tuple"):
        GenerationConfig(response_modalities="AUDIO")  # type: ignore[arg-type]


REJECTED: list[tuple[str, LiveConfig, Platform, str]] = [
    (
        "transparent_resumption_on_google_ai",
        LiveConfig(session_resumption=SessionResumptionConfig(transparent=True)),
        GOOGLE,
        "session_resumption.transparent is Vertex only",
    ),
    (
        "explicit_vad_on_google_ai",
        LiveConfig(explicit_vad_signal=True),
        GOOGLE,
        "explicit_vad_signal is Vertex only",
    ),
    (
        "multi_speaker",
        LiveConfig(
            generation_config=GenerationConfig(
                speech_config=SpeechConfig(multi_speaker_voice_config={"speakerVoiceConfigs": []})
            )
        ),
        VERTEX,
        "multi-speaker voices are not supported in Live",
    ),
    (
        "two_modalities",
        LiveConfig(generation_config=GenerationConfig(response_modalities=("AUDIO", "TEXT"))),
        GOOGLE,
        "one modality per session",
    ),
    (
        "proactive_video_without_audio",
        LiveConfig(proactivity=Proactivity(proactive_video=True)),
        GOOGLE,
        "proactive_video requires proactive_audio=True",
    ),
    (
        "budget_and_level",
        LiveConfig(
            generation_config=GenerationConfig(
                thinking_config=ThinkingConfig(thinking_budget=0, thinking_level=ThinkingLevel.LOW)
            )
        ),
        GOOGLE,
        "set thinking_budget (2.5 models) or thinking_level (3.x models), not both",
    ),
    (
        "budget_below_minus_one",
        LiveConfig(
            generation_config=GenerationConfig(thinking_config=ThinkingConfig(thinking_budget=-2))
        ),
        GOOGLE,
        "thinking_budget must be -1 (auto), 0 (off) or positive",
    ),
    (
        "negative_silence",
        LiveConfig(
            realtime_input_config=RealtimeInputConfig(
                automatic_activity_detection=AutomaticActivityDetection(silence_duration_ms=-1)
            )
        ),
        GOOGLE,
        "silence_duration_ms must be >= 0; got -1",
    ),
    (
        "negative_prefix_padding",
        LiveConfig(
            realtime_input_config=RealtimeInputConfig(
                automatic_activity_detection=AutomaticActivityDetection(prefix_padding_ms=-20)
            )
        ),
        VERTEX,
        "prefix_padding_ms must be >= 0; got -20",
    ),
    (
        "temperature_high",
        LiveConfig(generation_config=GenerationConfig(temperature=2.5)),
        GOOGLE,
        "temperature must be in [0, 2]; got 2.5",
    ),
    (
        "temperature_negative",
        LiveConfig(generation_config=GenerationConfig(temperature=-0.1)),
        VERTEX,
        "temperature must be in [0, 2]",
    ),
    (
        "top_p_high",
        LiveConfig(generation_config=GenerationConfig(top_p=1.5)),
        GOOGLE,
        "top_p must be in [0, 1]",
    ),
    (
        "input_audio_rate_zero",
        LiveConfig(input_audio_rate=0),
        GOOGLE,
        "input_audio_rate must be a positive number of Hz; got 0",
    ),
    (
        "input_audio_rate_negative",
        LiveConfig(input_audio_rate=-16_000),
        VERTEX,
        "input_audio_rate must be a positive",
    ),
    (
        "safety_method_on_google_ai",
        LiveConfig(safety_settings=(SafetySetting("C", "T", method="SEVERITY"),)),
        GOOGLE,
        "safety_settings[].method is Vertex only",
    ),
    (
        "avatar_on_google_ai",
        LiveConfig(avatar_config=AvatarConfig(avatar_name="a")),
        GOOGLE,
        "avatar_config is Vertex only",
    ),
    (
        "translation_on_vertex",
        LiveConfig(generation_config=GenerationConfig(translation_config=TranslationConfig("fr"))),
        VERTEX,
        "translation_config is Gemini API only",
    ),
    (
        "negative_trigger_tokens",
        LiveConfig(context_window_compression=ContextWindowCompression(trigger_tokens=-5)),
        GOOGLE,
        "context_window_compression.trigger_tokens must be >= 0",
    ),
    (
        "negative_target_tokens",
        LiveConfig(
            context_window_compression=ContextWindowCompression(sliding_window=SlidingWindow(-1))
        ),
        GOOGLE,
        "context_window_compression.target_tokens must be >= 0",
    ),
    (
        "empty_handle",
        LiveConfig(session_resumption=SessionResumptionConfig(handle="")),
        VERTEX,
        "session_resumption.handle must be a non-empty str or None",
    ),
]


@pytest.mark.parametrize(
    ("name", "config", "platform", "message"), REJECTED, ids=[r[0] for r in REJECTED]
)
def test_validate_config_rejects(
    name: str, config: LiveConfig, platform: Platform, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        validate_config(config, platform)
    assert message in str(info.value)
    assert platform.name in str(info.value)
    assert isinstance(info.value, ValueError)


ALLOWED: list[tuple[str, LiveConfig, Platform]] = [
    (
        "transparent_on_vertex",
        LiveConfig(session_resumption=SessionResumptionConfig(transparent=True)),
        VERTEX,
    ),
    (
        "transparent_but_resumption_off",
        LiveConfig(session_resumption=SessionResumptionConfig(enabled=False, transparent=True)),
        GOOGLE,
    ),
    ("explicit_vad_on_vertex", LiveConfig(explicit_vad_signal=True), VERTEX),
    ("explicit_vad_false_on_google", LiveConfig(explicit_vad_signal=False), GOOGLE),
    ("proactive_video_with_audio", LiveConfig(proactivity=Proactivity(True, True)), GOOGLE),
    (
        "temperature_bounds",
        LiveConfig(generation_config=GenerationConfig(temperature=2.0, top_p=0.0)),
        GOOGLE,
    ),
    (
        "budget_auto",
        LiveConfig(
            generation_config=GenerationConfig(thinking_config=ThinkingConfig(thinking_budget=-1))
        ),
        GOOGLE,
    ),
    (
        "unknown_enum_values",
        LiveConfig(
            generation_config=GenerationConfig(
                response_modalities=("HOLOGRAM",), media_resolution="X"
            )
        ),
        GOOGLE,
    ),
    (
        "safety_method_on_vertex",
        LiveConfig(safety_settings=(SafetySetting("C", "T", method="SEVERITY"),)),
        VERTEX,
    ),
    (
        "zero_silence",
        LiveConfig(
            realtime_input_config=RealtimeInputConfig(
                automatic_activity_detection=AutomaticActivityDetection(silence_duration_ms=0)
            )
        ),
        GOOGLE,
    ),
]


@pytest.mark.parametrize(("name", "config", "platform"), ALLOWED, ids=[r[0] for r in ALLOWED])
def test_validate_config_allows(name: str, config: LiveConfig, platform: Platform) -> None:
    validate_config(config, platform)


def test_validate_config_reports_every_problem_at_once() -> None:
    config = LiveConfig(
        explicit_vad_signal=True,
        input_audio_rate=0,
        generation_config=GenerationConfig(temperature=9.0),
    )
    with pytest.raises(ConfigError) as info:
        validate_config(config, GOOGLE)
    text = str(info.value)
    assert "explicit_vad_signal" in text and "input_audio_rate" in text and "temperature" in text
