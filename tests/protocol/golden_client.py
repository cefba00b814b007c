"""Golden table for client messages: (name, wire JSON as a Python dict, typed message).

``GOLDEN`` rows hold in both directions: ``encode(typed)`` parses to ``wire`` and
``decode_client(wire) == typed``. ``DECODE_ONLY`` rows are spellings the decoder must accept
(snake_case, mixed case, URL-safe or unpadded base64, int64 as numbers or strings) that the
encoder never produces. Wire dicts are written out literally, as the service documents them;
only base64 text is computed, from the standard library.
"""

from __future__ import annotations

import base64
from typing import Any

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
from gemini_live.protocol.messages import (
    ActivityEnd,
    ActivityStart,
    AudioStreamEnd,
    ClientContent,
    ClientMessage,
    ContextUpdate,
    RealtimeAudio,
    RealtimeText,
    RealtimeVideo,
    Setup,
    ToolResponse,
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

__all__ = ["DECODE_ONLY", "GOLDEN", "MODEL"]

Row = tuple[str, dict[str, Any], ClientMessage]

MODEL = "models/gemini-3.8-live"
PCM = bytes(range(256)) * 2 + b"\xfb\xff\xfe"  # 515 bytes: needs padding, has '+' and '/'
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xfb\xef\xbe"
STD = base64.b64encode(PCM).decode()
URLSAFE_UNPADDED = base64.urlsafe_b64encode(PCM).decode().rstrip("=")
assert "+" in STD and "/" in STD and STD.endswith("=")  # the cases below test what they claim


def _setup(**wire: Any) -> dict[str, Any]:
    return {"setup": {"model": MODEL, **wire}}


def _cfg(**config: Any) -> Setup:
    return Setup(MODEL, LiveConfig(**config))


def _rt(**field: Any) -> dict[str, Any]:
    return {"realtimeInput": field}


def _text(text: str, role: str | None = "user") -> dict[str, Any]:
    return (
        {"parts": [{"text": text}]} if role is None else {"role": role, "parts": [{"text": text}]}
    )


WEATHER = {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}
AAD = AutomaticActivityDetection

# Hand-aligned so that each row reads as wire JSON next to its typed value.
# fmt: off
GOLDEN: list[Row] = [
    ("setup_minimal", _setup(), Setup(MODEL)),
    ("setup_generation_config_full",
     _setup(generationConfig={
         "responseModalities": ["AUDIO"], "temperature": 0.7, "topP": 0.95, "topK": 40,
         "maxOutputTokens": 1024, "seed": 7, "candidateCount": 1, "presencePenalty": 0.5,
         "frequencyPenalty": -0.25, "mediaResolution": "MEDIA_RESOLUTION_LOW",
         "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
                          "languageCode": "en-US"},
         "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True},
         "enableAffectiveDialog": True,
         "translationConfig": {"targetLanguageCode": "fr-FR", "echoTargetLanguage": False}}),
     _cfg(generation_config=GenerationConfig(
         response_modalities=(Modality.AUDIO,), temperature=0.7, top_p=0.95, top_k=40,
         max_output_tokens=1024, seed=7, candidate_count=1, presence_penalty=0.5,
         frequency_penalty=-0.25, media_resolution=MediaResolution.MEDIA_RESOLUTION_LOW,
         speech_config=SpeechConfig(voice_name="Kore", language_code="en-US"),
         thinking_config=ThinkingConfig(thinking_budget=0, include_thoughts=True),
         enable_affective_dialog=True,
         translation_config=TranslationConfig("fr-FR", echo_target_language=False)))),
    ("setup_thinking_level_and_unknown_enum_value",
     _setup(generationConfig={"mediaResolution": "MEDIA_RESOLUTION_ULTRA",
                              "thinkingConfig": {"thinkingLevel": "HIGH"}}),
     _cfg(generation_config=GenerationConfig(
         media_resolution="MEDIA_RESOLUTION_ULTRA",
         thinking_config=ThinkingConfig(thinking_level=ThinkingLevel.HIGH)))),
    ("setup_multi_speaker_passthrough",
     _setup(generationConfig={"speechConfig": {"multiSpeakerVoiceConfig": {"speakers": []}}}),
     _cfg(generation_config=GenerationConfig(
         speech_config=SpeechConfig(multi_speaker_voice_config={"speakers": []})))),
    ("setup_system_instruction_from_str",
     _setup(systemInstruction=_text("Be concise.")),
     _cfg(system_instruction="Be concise.")),
    ("setup_system_instruction_content_without_role",
     _setup(systemInstruction={"parts": [{"text": "One."}, {"text": "Two."}]}),
     _cfg(system_instruction=Content(parts=(Part(text="One."), Part(text="Two."))))),
    ("setup_tools_every_kind",
     _setup(tools=[
         {"functionDeclarations": [
             {"name": "get_weather", "description": "Weather for a city", "parameters": WEATHER,
              "behavior": "NON_BLOCKING"},
             {"name": "lights_on", "parametersJsonSchema": {"type": "object"}}]},
         {"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}, {"googleMaps": {}}]),
     _cfg(tools=(
         Tool(function_declarations=(
             FunctionDeclaration("get_weather", description="Weather for a city",
                                 parameters=WEATHER, behavior=Behavior.NON_BLOCKING),
             FunctionDeclaration("lights_on", parameters_json_schema={"type": "object"}))),
         Tool(google_search=True), Tool(code_execution=True), Tool(url_context=True),
         Tool(google_maps=True)))),
    ("setup_realtime_input_config_full",
     _setup(realtimeInputConfig={
         "automaticActivityDetection": {
             "disabled": False, "startOfSpeechSensitivity": "START_SENSITIVITY_LOW",
             "endOfSpeechSensitivity": "END_SENSITIVITY_HIGH", "prefixPaddingMs": 20,
             "silenceDurationMs": 500},
         "activityHandling": "NO_INTERRUPTION",
         "turnCoverage": "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
         "interimTranscriptTimestampEnabled": True}),
     _cfg(realtime_input_config=RealtimeInputConfig(
         automatic_activity_detection=AAD(
             disabled=False, start_of_speech_sensitivity=StartSensitivity.START_SENSITIVITY_LOW,
             end_of_speech_sensitivity=EndSensitivity.END_SENSITIVITY_HIGH, prefix_padding_ms=20,
             silence_duration_ms=500),
         activity_handling=ActivityHandling.NO_INTERRUPTION,
         turn_coverage=TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
         interim_transcript_timestamp_enabled=True))),
    ("setup_manual_activity_detection",
     _setup(realtimeInputConfig={"automaticActivityDetection": {"disabled": True}}),
     _cfg(realtime_input_config=RealtimeInputConfig(automatic_activity_detection=AAD(True)))),
    ("setup_transcription",
     _setup(inputAudioTranscription={},
            outputAudioTranscription={"languageCodes": ["en-US", "de-DE"]}),
     _cfg(input_audio_transcription=AudioTranscriptionConfig(),
          output_audio_transcription=AudioTranscriptionConfig(("en-US", "de-DE")))),
    ("setup_context_window_compression_int64_as_strings",
     _setup(contextWindowCompression={"triggerTokens": "100000",
                                      "slidingWindow": {"targetTokens": "50000"}}),
     _cfg(context_window_compression=ContextWindowCompression(
         trigger_tokens=100_000, sliding_window=SlidingWindow(target_tokens=50_000)))),
    ("setup_context_window_compression_minimal",
     _setup(contextWindowCompression={"slidingWindow": {}}),
     _cfg(context_window_compression=ContextWindowCompression())),
    ("setup_session_resumption_empty",
     _setup(sessionResumption={}),
     _cfg(session_resumption=SessionResumptionConfig())),
    ("setup_session_resumption_handle_transparent",
     _setup(sessionResumption={"handle": "h-123", "transparent": True}),
     _cfg(session_resumption=SessionResumptionConfig(handle="h-123", transparent=True))),
    ("setup_session_features",
     _setup(
         proactivity={"proactiveAudio": True, "proactiveVideo": True},
         historyConfig={"initialHistoryInClientContent": True},
         explicitVadSignal=True,
         safetySettings=[
             {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
             {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE",
              "method": "SEVERITY"}],
         avatarConfig={
             "avatarName": "ava",
             "customizedAvatar": {"imageMimeType": "image/jpeg", "imageData": "/9j/4A=="},
             "audioBitrateBps": 64000, "videoBitrateBps": 1000000},
         labels={"team": "voice", "env": "test"}),
     _cfg(
         proactivity=Proactivity(proactive_audio=True, proactive_video=True),
         history_config=HistoryConfig(initial_history_in_client_content=True),
         explicit_vad_signal=True,
         safety_settings=(
             SafetySetting("HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH"),
             SafetySetting("HARM_CATEGORY_HATE_SPEECH", "BLOCK_NONE", method="SEVERITY")),
         avatar_config=AvatarConfig(
             avatar_name="ava",
             customized_avatar=CustomizedAvatar("image/jpeg", b"\xff\xd8\xff\xe0"),
             audio_bitrate_bps=64_000, video_bitrate_bps=1_000_000),
         labels={"team": "voice", "env": "test"})),
    ("client_content_text_and_image",
     {"clientContent": {"turns": [
         _text("What is this?"),
         {"role": "user", "parts": [
             {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
             {"text": "thinking...", "thought": True}]}],
      "turnComplete": True}},
     ClientContent((
         Content.from_text("What is this?"),
         Content((Part(inline_data=Blob("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10")),
                  Part(text="thinking...", thought=True)), role="user")), True)),
    ("client_content_history_not_complete",
     {"clientContent": {"turns": [_text("Hi"), _text("Hello!", "model")], "turnComplete": False}},
     ClientContent((Content.from_text("Hi"), Content.from_text("Hello!", role="model")), False)),
    ("client_content_turn_complete_only",
     {"clientContent": {"turnComplete": True}},
     ClientContent(turn_complete=True)),
    ("realtime_audio",
     _rt(audio={"mimeType": "audio/pcm;rate=16000", "data": STD}),
     RealtimeAudio(PCM, "audio/pcm;rate=16000")),
    ("realtime_audio_empty",
     _rt(audio={"mimeType": "audio/pcm;rate=24000", "data": ""}),
     RealtimeAudio(b"", "audio/pcm;rate=24000")),
    ("realtime_video",
     _rt(video={"mimeType": "image/jpeg", "data": base64.b64encode(JPEG).decode()}),
     RealtimeVideo(JPEG)),
    ("realtime_text", _rt(text="Hello"), RealtimeText("Hello")),
    ("activity_start", _rt(activityStart={}), ActivityStart()),
    ("activity_end", _rt(activityEnd={}), ActivityEnd()),
    ("audio_stream_end", _rt(audioStreamEnd=True), AudioStreamEnd()),
    ("tool_response",
     {"toolResponse": {"functionResponses": [
         {"name": "get_weather", "response": {"output": {"temp_c": 21}}, "id": "fc-1"},
         {"name": "search_db", "response": {"output": "partial"}, "id": "fc-2",
          "scheduling": "WHEN_IDLE", "willContinue": True}]}},
     ToolResponse((
         FunctionResponse("get_weather", {"output": {"temp_c": 21}}, id="fc-1"),
         FunctionResponse("search_db", {"output": "partial"}, id="fc-2",
                          scheduling=Scheduling.WHEN_IDLE, will_continue=True)))),
    ("tool_response_without_id",
     {"toolResponse": {"functionResponses": [{"name": "f", "response": {"error": "boom"}}]}},
     ToolResponse((FunctionResponse("f", {"error": "boom"}),))),
    ("context_update_system_instruction",
     {"contextUpdate": {"systemInstruction": _text("Now answer in French.")}},
     ContextUpdate(system_instruction=Content.from_text("Now answer in French."))),
    ("context_update_tools_doubly_nested",
     {"contextUpdate": {"tools": {"tools": [{"functionDeclarations": [{"name": "lights_on"}]}]}}},
     ContextUpdate(tools=(Tool(function_declarations=(FunctionDeclaration("lights_on"),)),))),
    ("context_update_clear_tools",
     {"contextUpdate": {"tools": {"tools": []}}},
     ContextUpdate(tools=())),
    ("context_update_both",
     {"contextUpdate": {"systemInstruction": _text("x", None),
                        "tools": {"tools": [{"googleSearch": {}}]}}},
     ContextUpdate(Content((Part(text="x"),)), (Tool(google_search=True),))),
]


DECODE_ONLY: list[Row] = [
    ("snake_case_top_level_and_nested",  # what google-genai 3.x sends
     {"realtime_input": {"audio": {"mime_type": "audio/pcm;rate=16000", "data": STD}}},
     RealtimeAudio(PCM, "audio/pcm;rate=16000")),
    ("urlsafe_unpadded_base64",
     _rt(audio={"mimeType": "audio/pcm;rate=16000", "data": URLSAFE_UNPADDED}),
     RealtimeAudio(PCM, "audio/pcm;rate=16000")),
    ("urlsafe_padded_base64_video",
     _rt(video={"mimeType": "image/jpeg", "data": base64.urlsafe_b64encode(JPEG).decode()}),
     RealtimeVideo(JPEG)),
    ("client_content_snake_case_inline_data",
     {"client_content": {
         "turns": [{"role": "user",
                    "parts": [{"inline_data": {"mime_type": "image/png", "data": "iVBO"}}]}],
         "turn_complete": True}},
     ClientContent((Content((Part(inline_data=Blob("image/png", b"\x89PN")),), "user"),), True)),
    ("client_content_turn_complete_absent_means_false",
     {"clientContent": {"turns": [_text("a")]}},
     ClientContent((Content.from_text("a"),), False)),
    ("setup_mixed_case_every_level",
     {"setup": {
         "model": MODEL,
         "generation_config": {
             "responseModalities": ["AUDIO"],
             "speech_config": {"voice_config": {"prebuiltVoiceConfig": {"voice_name": "Puck"}}},
             "thinking_config": {"thinking_budget": -1, "includeThoughts": False}},
         "realtime_input_config": {"automatic_activity_detection": {"silence_duration_ms": 800}},
         "context_window_compression": {"trigger_tokens": 100000,
                                        "sliding_window": {"target_tokens": "50000"}},
         "session_resumption": {"handle": "h"},
         "proactivity": {"proactive_audio": True},
         "history_config": {"initial_history_in_client_content": True},
         "input_audio_transcription": {},
         "system_instruction": {"parts": [{"text": "s"}]}}},
     _cfg(
         generation_config=GenerationConfig(
             response_modalities=("AUDIO",), speech_config=SpeechConfig(voice_name="Puck"),
             thinking_config=ThinkingConfig(thinking_budget=-1, include_thoughts=False)),
         realtime_input_config=RealtimeInputConfig(
             automatic_activity_detection=AAD(silence_duration_ms=800)),
         context_window_compression=ContextWindowCompression(100_000, SlidingWindow(50_000)),
         session_resumption=SessionResumptionConfig(handle="h"),
         proactivity=Proactivity(proactive_audio=True),
         history_config=HistoryConfig(True),
         input_audio_transcription=AudioTranscriptionConfig(),
         system_instruction=Content((Part(text="s"),)))),
    ("int64_as_numbers_and_compression_without_sliding_window",
     _setup(contextWindowCompression={"triggerTokens": 25000}),
     _cfg(context_window_compression=ContextWindowCompression(25_000, sliding_window=None))),
    ("tool_response_snake_case",
     {"tool_response": {"function_responses": [
         {"id": "fc-9", "name": "f", "response": {"keep_snake": 1}, "will_continue": False}]}},
     ToolResponse((FunctionResponse("f", {"keep_snake": 1}, id="fc-9", will_continue=False),))),
    ("tools_snake_case_and_several_kinds_in_one_object",
     _setup(tools=[{"function_declarations": [{"name": "f", "parameters_json_schema": {"a_b": 1}}],
                    "google_search": {}}]),
     _cfg(tools=(Tool(function_declarations=(
         FunctionDeclaration("f", parameters_json_schema={"a_b": 1}),), google_search=True),))),
    ("context_update_snake_case",
     {"context_update": {"system_instruction": {"parts": [{"text": "x"}]}}},
     ContextUpdate(system_instruction=Content((Part(text="x"),)))),
    ("null_values_are_absent",
     {"clientContent": {"turns": None, "turnComplete": True}},
     ClientContent(turn_complete=True)),
]
# fmt: on
