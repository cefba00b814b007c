"""Golden table for server frames: wire JSON -> typed ServerFrame -> events.

Each row is ``GoldenRow(name, wire, frame, events, canonical)``. ``canonical`` rows are exactly
what the service emits (camelCase, standard base64, int64 strings, ``"Ns"`` durations, proto3
defaults omitted), so ``encode_server_frame(frame)`` must reproduce ``wire``. The other rows cover
what a reader must also accept (snake_case, URL-safe base64, numbers for int64, unknown nested
fields...). Expected values are written out by hand; base64 text is made with the stdlib.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any, NamedTuple

from gemini_live.protocol.events import (
    AudioChunk,
    CodeExecutionResult,
    Event,
    ExecutableCode,
    FunctionCall,
    GenerationComplete,
    GoAway,
    GroundingMetadata,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
    ModalityTokens,
    OutputTranscription,
    ResumptionUpdate,
    SetupComplete,
    TextDelta,
    Thought,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    UnknownMessage,
    UrlContextMetadata,
    Usage,
    VadSignal,
    VoiceActivity,
    WaitingForInput,
)
from gemini_live.protocol.server import (
    AudioPart,
    BlobPart,
    CodeExecutionResultPart,
    ExecutableCodePart,
    GoAwayMessage,
    ServerContent,
    ServerFrame,
    SessionResumptionUpdate,
    SetupCompleteMessage,
    TextPart,
    ThoughtPart,
    ToolCallCancellationMessage,
    ToolCallMessage,
    Transcription,
    UnknownPart,
    UsageMetadata,
    VoiceActivityDetectionSignal,
    VoiceActivityMessage,
)

__all__ = ["AUDIO", "AUDIO_STD", "AUDIO_URLSAFE", "GOLDEN", "GoldenRow"]


class GoldenRow(NamedTuple):
    name: str
    wire: dict[str, Any]
    frame: ServerFrame
    events: list[Event]
    canonical: bool = True


# 44 bytes chosen so that the standard alphabet needs '+' and '/' and the length needs padding.
AUDIO = bytes([0xFB, 0xFF, 0xBF, 0xF8, 0x3E, 0x0F]) + bytes(range(0, 76, 2))
AUDIO_STD = base64.b64encode(AUDIO).decode("ascii")
AUDIO_URLSAFE = base64.urlsafe_b64encode(AUDIO).decode("ascii")
assert "+" in AUDIO_STD and "/" in AUDIO_STD and AUDIO_STD.endswith("=")
assert "-" in AUDIO_URLSAFE and "_" in AUDIO_URLSAFE
PCM24 = "audio/pcm;rate=24000"
IMAGE = b"\x89PNG\r\n\x1a\n"


def sc(**fields: Any) -> dict[str, Any]:
    return {"serverContent": fields}


def turn(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"parts": list(parts)}


def blob(data: str = AUDIO_STD, mime: str = PCM24) -> dict[str, Any]:
    return {"inlineData": {"mimeType": mime, "data": data}}


def content(**fields: Any) -> ServerFrame:
    return ServerFrame(server_content=ServerContent(**fields))


AUDIO_PART = AudioPart(AUDIO, PCM24, 24_000)
AUDIO_EVENT = AudioChunk(AUDIO, 24_000, PCM24)
GROUNDING = {"webSearchQueries": ["weather paris"], "groundingChunks": [{"web": {"uri": "u"}}]}
URL_CONTEXT = {
    "urlMetadata": [{"retrievedUrl": "https://a.example", "urlRetrievalStatus": "URL_OK"}]
}
FILE_DATA_PART = {"fileData": {"mimeType": "video/mp4", "fileUri": "gs://b/o"}}
WEATHER = FunctionCall("get_weather", {"city": "Paris", "days": 2}, "fc-1")
LIGHTS = FunctionCall("lights_off", {}, "fc-2")

GOOGLE_USAGE_WIRE = {
    "promptTokenCount": 1200,
    "cachedContentTokenCount": 100,
    "responseTokenCount": 340,
    "toolUsePromptTokenCount": 7,
    "thoughtsTokenCount": 12,
    "totalTokenCount": 1659,
    "promptTokensDetails": [
        {"modality": "AUDIO", "tokenCount": 1100},
        {"modality": "TEXT", "tokenCount": 100},
    ],
    "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 340}],
    "serviceTier": "STANDARD",
}
USAGE_TYPED = UsageMetadata(
    prompt_token_count=1200,
    response_token_count=340,
    total_token_count=1659,
    cached_content_token_count=100,
    tool_use_prompt_token_count=7,
    thoughts_token_count=12,
    prompt_tokens_details=(ModalityTokens("AUDIO", 1100), ModalityTokens("TEXT", 100)),
    response_tokens_details=(ModalityTokens("AUDIO", 340),),
    service_tier="STANDARD",
)
USAGE_EVENT = Usage(
    prompt_tokens=1200,
    response_tokens=340,
    total_tokens=1659,
    cached_tokens=100,
    tool_use_prompt_tokens=7,
    thoughts_tokens=12,
    prompt_details=(ModalityTokens("AUDIO", 1100), ModalityTokens("TEXT", 100)),
    response_details=(ModalityTokens("AUDIO", 340),),
)
VERTEX_USAGE_WIRE = {
    "promptTokenCount": 50,
    "candidatesTokenCount": 20,
    "totalTokenCount": 70,
    "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}],
    "trafficType": "ON_DEMAND",
}
VERTEX_USAGE_TYPED = UsageMetadata(
    prompt_token_count=50,
    response_token_count=20,
    total_token_count=70,
    response_tokens_details=(ModalityTokens("TEXT", 20),),
    traffic_type="ON_DEMAND",
    vertex_spelling=True,
)
VERTEX_USAGE_EVENT = Usage(
    prompt_tokens=50,
    response_tokens=20,
    total_tokens=70,
    response_details=(ModalityTokens("TEXT", 20),),
)

R = GoldenRow
# One row per few lines is easier to audit than the formatter's one-argument-per-line layout.
# fmt: off
GOLDEN: list[GoldenRow] = [
    # --- setupComplete ---
    R("setup_complete", {"setupComplete": {}}, ServerFrame(setup_complete=SetupCompleteMessage()),
      [SetupComplete()]),
    R("setup_complete_session_id", {"setupComplete": {"sessionId": "s-1"}},
      ServerFrame(setup_complete=SetupCompleteMessage("s-1")), [SetupComplete("s-1")]),
    # --- model turn parts ---
    R("audio", sc(modelTurn=turn(blob())), content(model_turn=(AUDIO_PART,)), [AUDIO_EVENT]),
    R("audio_16k", sc(modelTurn=turn(blob(mime="audio/pcm;rate=16000"))),
      content(model_turn=(AudioPart(AUDIO, "audio/pcm;rate=16000", 16_000),)),
      [AudioChunk(AUDIO, 16_000, "audio/pcm;rate=16000")]),
    R("audio_without_rate", sc(modelTurn=turn(blob(mime="audio/pcm"))),
      content(model_turn=(AudioPart(AUDIO, "audio/pcm", 24_000),)),
      [AudioChunk(AUDIO, 24_000, "audio/pcm")]),
    R("text", sc(modelTurn=turn({"text": "Hello"})), content(model_turn=(TextPart("Hello"),)),
      [TextDelta("Hello")]),
    R("thought", sc(modelTurn=turn({"text": "Planning...", "thought": True})),
      content(model_turn=(ThoughtPart("Planning..."),)), [Thought("Planning...")]),
    R("code_execution",
      sc(modelTurn=turn({"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}})),
      content(model_turn=(ExecutableCodePart("PYTHON", "print(1)"),
                          CodeExecutionResultPart("OUTCOME_OK", "1\n"))),
      [ExecutableCode("PYTHON", "print(1)"), CodeExecutionResult("OUTCOME_OK", "1\n")]),
    R("audio_and_text_in_one_event", sc(modelTurn=turn(blob(), {"text": "Hi"}, blob())),
      content(model_turn=(AUDIO_PART, TextPart("Hi"), AUDIO_PART)),
      [AUDIO_EVENT, TextDelta("Hi"), AUDIO_EVENT]),
    R("empty_model_turn", sc(modelTurn=turn()), content(model_turn=()), []),
    R("unknown_part_kind_kept_in_place", sc(modelTurn=turn({"text": "a"}, FILE_DATA_PART)),
      content(model_turn=(TextPart("a"), UnknownPart(FILE_DATA_PART))),
      [TextDelta("a"),
       UnknownMessage(("serverContent",), sc(modelTurn=turn(FILE_DATA_PART)))]),
    R("non_audio_inline_data", sc(modelTurn=turn(blob(base64.b64encode(IMAGE).decode(),
                                                       "image/png"))),
      content(model_turn=(BlobPart(IMAGE, "image/png"),)),
      [UnknownMessage(("serverContent",),
                      sc(modelTurn=turn(blob(base64.b64encode(IMAGE).decode(), "image/png"))))]),
    # --- the other serverContent fields and their bundling ---
    R("input_transcription", sc(inputTranscription={"text": "hi", "finished": True}),
      content(input_transcription=Transcription("hi", True)), [InputTranscription("hi", True)]),
    R("output_transcription", sc(outputTranscription={"text": "Hello there"}),
      content(output_transcription=Transcription("Hello there")),
      [OutputTranscription("Hello there")]),
    R("transcription_language_code",
      sc(inputTranscription={"text": "bonjour", "languageCode": "fr-FR"}),
      content(input_transcription=Transcription("bonjour", None, "fr-FR")),
      [InputTranscription("bonjour", None, "fr-FR")]),
    R("interim_input_transcription", sc(interimInputTranscription={"text": "what is th"}),
      content(interim_input_transcription=Transcription("what is th")),
      [InterimInputTranscription("what is th")]),
    R("generation_complete", sc(generationComplete=True), content(generation_complete=True),
      [GenerationComplete()]),
    R("turn_complete_idle", sc(turnComplete=True, interactionStatus="IDLE"),
      content(turn_complete=True, interaction_status="IDLE"), [TurnComplete(None, "IDLE")]),
    R("turn_complete_unknown_reason_kept",
      sc(turnComplete=True, turnCompleteReason="SOME_FUTURE_REASON",
         interactionStatus="REQUIRES_ACTION"),
      content(turn_complete=True, turn_complete_reason="SOME_FUTURE_REASON",
              interaction_status="REQUIRES_ACTION"),
      [TurnComplete("SOME_FUTURE_REASON", "REQUIRES_ACTION")]),
    R("interrupted", sc(interrupted=True), content(interrupted=True), [Interrupted()]),
    R("interrupted_after_content_key", sc(modelTurn=turn({"text": "cut"}), interrupted=True),
      content(model_turn=(TextPart("cut"),), interrupted=True),
      [Interrupted(), TextDelta("cut")]),
    R("last_content_and_turn_complete",
      sc(turnComplete=True, modelTurn=turn(blob()), interactionStatus="IN_PROGRESS"),
      content(model_turn=(AUDIO_PART,), turn_complete=True, interaction_status="IN_PROGRESS"),
      [AUDIO_EVENT, TurnComplete(None, "IN_PROGRESS")]),
    R("everything_bundled_in_reverse_key_order",
      sc(turnComplete=True, turnCompleteReason="NEED_MORE_INPUT", generationComplete=True,
         waitingForInput=True, urlContextMetadata=URL_CONTEXT, groundingMetadata=GROUNDING,
         outputTranscription={"text": "out"}, inputTranscription={"text": "in"},
         modelTurn=turn({"text": "t"}, blob()), interrupted=True),
      content(model_turn=(TextPart("t"), AUDIO_PART), turn_complete=True,
              generation_complete=True, interrupted=True,
              input_transcription=Transcription("in"), output_transcription=Transcription("out"),
              grounding_metadata=GROUNDING, url_context_metadata=URL_CONTEXT,
              waiting_for_input=True, turn_complete_reason="NEED_MORE_INPUT"),
      [Interrupted(), TextDelta("t"), AUDIO_EVENT, InputTranscription("in"),
       OutputTranscription("out"), GroundingMetadata(GROUNDING), UrlContextMetadata(URL_CONTEXT),
       WaitingForInput(True), GenerationComplete(), TurnComplete("NEED_MORE_INPUT", None)]),
    R("waiting_for_input_false", sc(waitingForInput=False), content(waiting_for_input=False),
      [WaitingForInput(False)]),
    # --- tools ---
    R("tool_call_with_ids",
      {"toolCall": {"functionCalls": [
          {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris", "days": 2}},
          {"id": "fc-2", "name": "lights_off", "args": {}}]}},
      ServerFrame(tool_call=ToolCallMessage((WEATHER, LIGHTS))), [ToolCall((WEATHER, LIGHTS))]),
    R("tool_call_without_ids_vertex",
      {"toolCall": {"functionCalls": [{"name": "lights_off", "args": {}}]}},
      ServerFrame(tool_call=ToolCallMessage((FunctionCall("lights_off"),))),
      [ToolCall((FunctionCall("lights_off"),))]),
    R("tool_call_cancellation", {"toolCallCancellation": {"ids": ["fc-1", "fc-2"]}},
      ServerFrame(tool_call_cancellation=ToolCallCancellationMessage(("fc-1", "fc-2"))),
      [ToolCallCancellation(("fc-1", "fc-2"))]),
    # --- session management ---
    R("go_away", {"goAway": {"timeLeft": "50s"}},
      ServerFrame(go_away=GoAwayMessage(timedelta(seconds=50))), [GoAway(timedelta(seconds=50))]),
    R("go_away_fraction", {"goAway": {"timeLeft": "1.5s"}},
      ServerFrame(go_away=GoAwayMessage(timedelta(seconds=1.5))),
      [GoAway(timedelta(seconds=1.5))]),
    R("go_away_microsecond", {"goAway": {"timeLeft": "0.000001s"}},
      ServerFrame(go_away=GoAwayMessage(timedelta(microseconds=1))),
      [GoAway(timedelta(microseconds=1))]),
    R("go_away_number_of_seconds", {"goAway": {"timeLeft": 30}},
      ServerFrame(go_away=GoAwayMessage(timedelta(seconds=30))), [GoAway(timedelta(seconds=30))],
      canonical=False),
    R("resumption_update",
      {"sessionResumptionUpdate": {"newHandle": "h-9", "resumable": True,
                                   "lastConsumedClientMessageIndex": "42"}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate("h-9", True, 42)),
      [ResumptionUpdate("h-9", True, 42)]),
    R("resumption_not_resumable", {"sessionResumptionUpdate": {}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate()),
      [ResumptionUpdate(None, False)]),
    R("resumption_not_resumable_explicit",
      {"sessionResumptionUpdate": {"newHandle": "", "resumable": False}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate()),
      [ResumptionUpdate(None, False)], canonical=False),
    R("resumption_handle_but_not_resumable",
      {"sessionResumptionUpdate": {"newHandle": "stale"}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate("stale", False)),
      [ResumptionUpdate(None, False)]),
    R("resumption_index_as_number",
      {"sessionResumptionUpdate": {"newHandle": "h", "resumable": True,
                                   "lastConsumedClientMessageIndex": 7}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate("h", True, 7)),
      [ResumptionUpdate("h", True, 7)], canonical=False),
    R("usage_google_spelling", {"usageMetadata": GOOGLE_USAGE_WIRE},
      ServerFrame(usage_metadata=USAGE_TYPED), [USAGE_EVENT]),
    R("usage_vertex_spelling", {"usageMetadata": VERTEX_USAGE_WIRE},
      ServerFrame(usage_metadata=VERTEX_USAGE_TYPED), [VERTEX_USAGE_EVENT]),
    R("usage_counts_as_strings",
      {"usageMetadata": {"promptTokenCount": "5", "responseTokenCount": "6",
                         "totalTokenCount": "11"}},
      ServerFrame(usage_metadata=UsageMetadata(5, 6, 11)),
      [Usage(prompt_tokens=5, response_tokens=6, total_tokens=11)], canonical=False),
    R("usage_alongside_turn_complete",
      {"serverContent": {"turnComplete": True}, "usageMetadata": VERTEX_USAGE_WIRE},
      ServerFrame(server_content=ServerContent(turn_complete=True),
                  usage_metadata=VERTEX_USAGE_TYPED),
      [VERTEX_USAGE_EVENT, TurnComplete()]),
    # Boundaries of the decoder's fast paths (a one-field transcription frame; turnComplete
    # beside usage; a usage report with one modality each way): just off them, same events.
    R("transcription_with_unknown_extra_key",
      sc(outputTranscription={"text": "o", "words": [{"word": "o"}], "finished": None}),
      content(output_transcription=Transcription("o")), [OutputTranscription("o")],
      canonical=False),
    R("transcription_snake_case_language",
      sc(inputTranscription={"text": "hi", "language_code": "en-US"}),
      content(input_transcription=Transcription("hi", None, "en-US")),
      [InputTranscription("hi", None, "en-US")], canonical=False),
    R("transcription_without_text",
      sc(interimInputTranscription={"finished": False}),
      content(interim_input_transcription=Transcription("", False)),
      [InterimInputTranscription("", False)], canonical=False),
    R("transcription_null", sc(outputTranscription=None), content(), [], canonical=False),
    R("turn_complete_false_beside_usage",
      {"serverContent": {"turnComplete": False}, "usageMetadata": VERTEX_USAGE_WIRE},
      ServerFrame(server_content=ServerContent(), usage_metadata=VERTEX_USAGE_TYPED),
      [VERTEX_USAGE_EVENT], canonical=False),
    R("usage_details_two_modalities_and_one_odd_entry",
      {"serverContent": {"turnComplete": True},
       "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3,
                         "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1},
                                                 {"modality": "AUDIO", "tokenCount": 2}],
                         "responseTokensDetails": [{"modality": "AUDIO"}]}},
      ServerFrame(server_content=ServerContent(turn_complete=True),
                  usage_metadata=UsageMetadata(
                      prompt_token_count=3, total_token_count=3,
                      prompt_tokens_details=(ModalityTokens("TEXT", 1),
                                             ModalityTokens("AUDIO", 2)),
                      response_tokens_details=(ModalityTokens("AUDIO", 0),))),
      [Usage(prompt_tokens=3, total_tokens=3,
             prompt_details=(ModalityTokens("TEXT", 1), ModalityTokens("AUDIO", 2)),
             response_details=(ModalityTokens("AUDIO", 0),)), TurnComplete()],
      canonical=False),
    R("voice_activity_start", {"voiceActivity": {"type": "ACTIVITY_START", "audioOffset": "1.2s"}},
      ServerFrame(voice_activity=VoiceActivityMessage("ACTIVITY_START", timedelta(seconds=1.2))),
      [VoiceActivity("ACTIVITY_START", timedelta(seconds=1.2))]),
    R("voice_activity_unknown_type", {"voiceActivity": {"type": "ACTIVITY_PAUSE"}},
      ServerFrame(voice_activity=VoiceActivityMessage("ACTIVITY_PAUSE")),
      [VoiceActivity("ACTIVITY_PAUSE")]),
    R("vad_signal", {"voiceActivityDetectionSignal": {"vadSignalType": "VAD_SIGNAL_TYPE_SOS"}},
      ServerFrame(voice_activity_detection_signal=VoiceActivityDetectionSignal(
          "VAD_SIGNAL_TYPE_SOS")),
      [VadSignal("VAD_SIGNAL_TYPE_SOS")]),
    # --- unknown and empty ---
    R("unknown_top_level_message", {"brandNewMessage": {"x": [1, 2]}},
      ServerFrame(unknown={"brandNewMessage": {"x": [1, 2]}}),
      [UnknownMessage(("brandNewMessage",), {"brandNewMessage": {"x": [1, 2]}})]),
    R("error_frame", {"error": {"code": 429, "message": "quota"}},
      ServerFrame(unknown={"error": {"code": 429, "message": "quota"}}),
      [UnknownMessage(("error",), {"error": {"code": 429, "message": "quota"}})]),
    R("unknown_key_alongside_known", {"goAway": {"timeLeft": "5s"}, "futureKey": None},
      ServerFrame(go_away=GoAwayMessage(timedelta(seconds=5)), unknown={"futureKey": None}),
      [GoAway(timedelta(seconds=5)), UnknownMessage(("futureKey",), {"futureKey": None})]),
    R("empty_frame", {}, ServerFrame(), []),
    R("unknown_nested_fields_ignored",
      {"setupComplete": {"voiceConsentSignature": "sig"},
       "serverContent": {"futureFlag": True, "inputTranscription": {
           "text": "hi", "languageCode": "en-US", "words": [{"word": "hi"}]},
           "modelTurn": {"role": "model", "parts": [
               {"text": "x", "thoughtSignature": "AAAA"},
               {"inlineData": {"mimeType": PCM24, "data": AUDIO_STD, "displayName": "a"}}]}},
       "toolCall": {"functionCalls": [{"id": "fc-2", "name": "lights_off", "willContinue": True}]}},
      ServerFrame(setup_complete=SetupCompleteMessage(),
                  server_content=ServerContent(model_turn=(TextPart("x"), AUDIO_PART),
                                               input_transcription=Transcription(
                                                   "hi", None, "en-US")),
                  tool_call=ToolCallMessage((LIGHTS,))),
      [SetupComplete(), TextDelta("x"), AUDIO_EVENT, InputTranscription("hi", None, "en-US"),
       ToolCall((LIGHTS,))],
      canonical=False),
    R("nulls_mean_absent",
      {"serverContent": {"turnComplete": None, "modelTurn": {"parts": [{"text": "a"}]}},
       "goAway": None},
      content(model_turn=(TextPart("a"),)), [TextDelta("a")], canonical=False),
    # --- casing and encodings a reader must accept ---
    R("snake_case_everywhere",
      {"server_content": {"model_turn": {"parts": [
          {"inline_data": {"mime_type": PCM24, "data": AUDIO_STD}}]},
          "turn_complete": True, "generation_complete": True, "interaction_status": "IDLE",
          "output_transcription": {"text": "o"}, "waiting_for_input": True},
       "usage_metadata": {"prompt_token_count": 50, "candidates_token_count": 20,
                          "total_token_count": 70, "traffic_type": "ON_DEMAND",
                          "candidates_tokens_details": [{"modality": "TEXT", "token_count": 20}]}},
      ServerFrame(server_content=ServerContent(
          model_turn=(AUDIO_PART,), turn_complete=True, generation_complete=True,
          output_transcription=Transcription("o"), waiting_for_input=True,
          interaction_status="IDLE"), usage_metadata=VERTEX_USAGE_TYPED),
      [VERTEX_USAGE_EVENT, AUDIO_EVENT, OutputTranscription("o"), WaitingForInput(True),
       GenerationComplete(), TurnComplete(None, "IDLE")], canonical=False),
    R("snake_case_session_messages",
      {"session_resumption_update": {"new_handle": "h", "resumable": True,
                                     "last_consumed_client_message_index": "3"},
       "tool_call": {"function_calls": [{"id": "fc-2", "name": "lights_off"}]},
       "go_away": {"time_left": "2.25s"},
       "voice_activity": {"type": "ACTIVITY_END", "audio_offset": "0.5s"}},
      ServerFrame(session_resumption_update=SessionResumptionUpdate("h", True, 3),
                  tool_call=ToolCallMessage((LIGHTS,)),
                  go_away=GoAwayMessage(timedelta(seconds=2.25)),
                  voice_activity=VoiceActivityMessage("ACTIVITY_END", timedelta(seconds=0.5))),
      [VoiceActivity("ACTIVITY_END", timedelta(seconds=0.5)), ToolCall((LIGHTS,)),
       ResumptionUpdate("h", True, 3), GoAway(timedelta(seconds=2.25))], canonical=False),
    R("mixed_casing_in_one_message",
      {"serverContent": {"model_turn": {"parts": [{"inlineData": {"mime_type": PCM24,
                                                                  "data": AUDIO_STD}}]},
                         "turnComplete": True}},
      content(model_turn=(AUDIO_PART,), turn_complete=True), [AUDIO_EVENT, TurnComplete()],
      canonical=False),
    R("base64_urlsafe_padded", sc(modelTurn=turn(blob(AUDIO_URLSAFE))),
      content(model_turn=(AUDIO_PART,)), [AUDIO_EVENT], canonical=False),
    R("base64_urlsafe_unpadded", sc(modelTurn=turn(blob(AUDIO_URLSAFE.rstrip("=")))),
      content(model_turn=(AUDIO_PART,)), [AUDIO_EVENT], canonical=False),
    R("base64_standard_unpadded", sc(modelTurn=turn(blob(AUDIO_STD.rstrip("=")))),
      content(model_turn=(AUDIO_PART,)), [AUDIO_EVENT], canonical=False),
]
# fmt: on

assert len({row.name for row in GOLDEN}) == len(GOLDEN), "golden row names must be unique"
