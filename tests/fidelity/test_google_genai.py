"""The unmodified official SDK, google-genai, completes real sessions against the emulator.

Only the SDK's public surface is used: ``genai.Client(api_key=..., http_options=...)``,
``client.aio.live.connect``, ``send_realtime_input``, ``send_tool_response``, ``receive`` and the
``types`` models (plus the ``SSL_CERT_FILE`` variable in one test). Nothing in the SDK is patched.
Expected replies follow the emulator's documented deterministic model
(:mod:`gemini_live.testing.emulator.model`); facts about the service are cited from
``live-api.md`` by section.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from array import array
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, cast

import pytest

pytest.importorskip("google.genai", minversion="3.0")

from google import genai
from google.genai import errors, types

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from google.genai.live import AsyncSession

    from gemini_live.testing import Emulator

    from .conftest import ClientFactory

    MakeEmulator = Callable[..., Awaitable[Emulator]]

MODEL = "gemini-3.8-live"
VERTEX_MODEL = "gemini-live-2.5-flash-native-audio"
WAIT = 5.0  # seconds; bounds every read, far above what a healthy run needs
SESSION_WAIT = 10.0  # seconds; bounds a whole session from connect to close
OUTPUT_RATE = 24000
SYNTH_UNIT_SAMPLES = OUTPUT_RATE // 20  # the synthesizer's 50 ms per character or word gap


# -- helpers ----------------------------------------------------------------------------------
def text_config(**fields: Any) -> types.LiveConnectConfig:
    return types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], **fields)


@contextlib.asynccontextmanager
async def connect(
    client: genai.Client, config: types.LiveConnectConfig, model: str = MODEL
) -> AsyncIterator[AsyncSession]:
    """``client.aio.live.connect`` with the whole session, closing included, bounded."""
    async with (
        asyncio.timeout(SESSION_WAIT),
        client.aio.live.connect(model=model, config=config) as session,
    ):
        yield session


def stream_of(session: AsyncSession) -> AsyncGenerator[types.LiveServerMessage, None]:
    """``session.receive()``, typed as the async generator it is so it can be closed early."""
    return cast("AsyncGenerator[types.LiveServerMessage, None]", session.receive())


async def read_turn(session: AsyncSession) -> list[types.LiveServerMessage]:
    """Every message of one model turn, as the SDK's per-turn ``receive()`` yields them."""
    async with asyncio.timeout(WAIT):
        async with contextlib.aclosing(stream_of(session)) as stream:
            return [message async for message in stream]


async def read_until(
    session: AsyncSession, done: Callable[[types.LiveServerMessage], bool]
) -> list[types.LiveServerMessage]:
    """Messages up to and including the first one for which ``done`` is true."""
    out: list[types.LiveServerMessage] = []
    async with asyncio.timeout(WAIT):
        while True:
            async with contextlib.aclosing(stream_of(session)) as stream:
                async for message in stream:
                    out.append(message)
                    if done(message):
                        return out


def resumable_handle(message: types.LiveServerMessage) -> str | None:
    update = message.session_resumption_update
    if update is not None and update.resumable and update.new_handle:
        return update.new_handle
    return None


async def next_handle(session: AsyncSession) -> str:
    """The handle of the next ``sessionResumptionUpdate`` with ``resumable: true``."""
    messages = await read_until(session, lambda m: resumable_handle(m) is not None)
    handle = resumable_handle(messages[-1])
    assert handle is not None
    return handle


def reply_text(messages: list[types.LiveServerMessage]) -> str:
    return "".join(
        m.text or "" for m in messages if m.server_content and m.server_content.model_turn
    )


async def say(session: AsyncSession, text: str) -> list[types.LiveServerMessage]:
    await session.send_realtime_input(text=text)
    return await read_turn(session)


def index_of(messages: list[types.LiveServerMessage], flag: str) -> int:
    """Position of the first message whose ``server_content`` has ``flag`` set."""
    for i, message in enumerate(messages):
        if message.server_content is not None and getattr(message.server_content, flag):
            return i
    raise AssertionError(f"no message with server_content.{flag}")


def tone_then_silence(rate: int, tone_s: float, silence_s: float) -> bytes:
    """PCM16 mono: a loud 220 Hz tone (speech to an energy VAD), then digital silence."""
    n_tone = round(rate * tone_s)
    samples = array(
        "h", (round(9000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(n_tone))
    )
    samples.extend([0] * round(rate * silence_s))
    return samples.tobytes()


def rms(pcm: bytes) -> float:
    samples = array("h", pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768


# -- a text turn ------------------------------------------------------------------------------
async def test_text_turn_streams_the_documented_reply(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    client = genai_client(emu)
    config = text_config(system_instruction="Be brief.")
    async with connect(client, config) as session:
        # setupComplete is the SDK's one-frame setup reply, and its sessionId reaches the user.
        assert session.session_id == emu.last_session.id
        first = await say(session, "hello there world")
        second = await say(session, "instruction")

    # The system instruction reached the emulator (model.py rules: "instruction" shows it).
    assert reply_text(first) == "Echo: hello there world"
    assert len([m for m in first if m.text]) >= 2, "the reply must stream as several chunks"
    assert index_of(first, "generation_complete") < index_of(first, "turn_complete")
    assert first[-1].server_content is not None and first[-1].server_content.turn_complete
    usage = first[-1].usage_metadata
    assert usage is not None
    assert usage.response_token_count == math.ceil(len("Echo: hello there world") / 4)
    assert usage.total_token_count == (usage.prompt_token_count or 0) + usage.response_token_count
    assert reply_text(second) == "Instruction: Be brief."
    assert emu.last_session.transcript == (
        "user: hello there world",
        "model: Echo: hello there world",
        "user: instruction",
        "model: Instruction: Be brief.",
    )
    assert emu.last_session.platform == "google_ai"


async def test_usage_counts_the_reply_only_as_response(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    async with connect(genai_client(emu), text_config()) as session:
        messages = await say(session, "hello there")
    assert reply_text(messages) == "Echo: hello there"
    usage = messages[-1].usage_metadata
    assert usage is not None
    # Prompt and output are separate counts (§5.5): on a first turn with no system instruction
    # the prompt is the user's text alone (ceil(11 / 4)), and the reply is counted once.
    assert usage.prompt_token_count == 3
    assert usage.response_token_count == 5  # ceil(len("Echo: hello there") / 4)
    assert usage.total_token_count == 8


async def test_receive_ends_a_turn_at_interaction_status_idle(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator(interaction_status=True)
    async with connect(genai_client(emu), text_config()) as session:
        first = await say(session, "one")
        second = await say(session, "two")
    # The SDK's receive() stops at IDLE when the field is present (§6.2): one turn per call.
    for messages, reply in ((first, "Echo: one"), (second, "Echo: two")):
        assert reply_text(messages) == reply
        last = messages[-1].server_content
        assert last is not None and last.turn_complete
        assert last.interaction_status == types.InteractionStatus.IDLE


async def test_ssl_cert_file_is_enough_to_trust_the_emulator(
    tls_emulator: MakeEmulator, genai_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = await tls_emulator()
    assert emu.cert_path is not None
    # The SDK builds its websocket SSL context when the client is created, so set it first.
    monkeypatch.setenv("SSL_CERT_FILE", str(emu.cert_path))
    client = genai_client(emu, trust_via_options=False)
    async with connect(client, text_config()) as session:
        assert reply_text(await say(session, "say trusted by env")) == "trusted by env"


async def test_vertex_express_text_turn_uses_the_vertex_path_and_usage_names(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    client = genai_client(emu, vertexai=True)
    config = text_config(session_resumption=types.SessionResumptionConfig(transparent=True))
    async with connect(client, config, model=VERTEX_MODEL) as session:
        messages = await say(session, "hi vertex")
        update = (await read_until(session, lambda m: resumable_handle(m) is not None))[-1]

    assert reply_text(messages) == "Echo: hi vertex"
    usage = messages[-1].usage_metadata
    assert usage is not None
    # The emulator spells it candidatesTokenCount on Vertex (§5.5); the SDK maps it back.
    assert usage.response_token_count == math.ceil(len("Echo: hi vertex") / 4)
    assert emu.last_session.platform == "vertex"
    assert update.session_resumption_update is not None
    # transparent (Vertex only, §5.4): the text message (index 1 after setup) is in the handle.
    assert update.session_resumption_update.last_consumed_client_message_index == 1
    assert update.session_resumption_update.new_handle in emu.last_session.handles


# -- an audio turn ----------------------------------------------------------------------------
async def test_audio_turn_speech_in_spoken_reply_out(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
    )
    rate = 16000
    pcm = tone_then_silence(rate, tone_s=1.0, silence_s=1.0)
    step = rate // 10 * 2  # 100 ms chunks, as a microphone would deliver them
    async with connect(genai_client(emu), config) as session:
        for start in range(0, len(pcm), step):
            chunk = types.Blob(data=pcm[start : start + step], mime_type=f"audio/pcm;rate={rate}")
            await session.send_realtime_input(audio=chunk)
        messages = await read_turn(session)

    content = [m.server_content for m in messages if m.server_content is not None]
    heard = "".join(c.input_transcription.text or "" for c in content if c.input_transcription)
    said = "".join(c.output_transcription.text or "" for c in content if c.output_transcription)
    # The energy VAD found 1.00 s of speech (ended by 800 ms of silence): one user turn.
    assert heard == "<speech 1.00s>"
    assert said == "Echo: <speech 1.00s>"
    parts = [
        part.inline_data
        for c in content
        if c.model_turn and c.model_turn.parts
        for part in c.model_turn.parts
        if part.inline_data is not None
    ]
    assert len(parts) > 1
    assert {blob.mime_type for blob in parts} == {"audio/pcm;rate=24000"}
    audio = b"".join(blob.data or b"" for blob in parts)
    assert audio == b"".join(m.data or b"" for m in messages)  # the SDK's .data convenience
    # Synthesis: one 50 ms unit per character and per gap between words.
    words = said.split()
    units = sum(len(w) for w in words) + len(words) - 1
    assert len(audio) == units * SYNTH_UNIT_SAMPLES * 2
    assert rms(audio) > 0.01, "the reply must be audible, not silence"
    # The last transcription and all audio come before generationComplete (§5.2), then turnComplete.
    generation_done = index_of(messages, "generation_complete")
    assert all(
        m.server_content is None
        or not (m.server_content.model_turn or m.server_content.output_transcription)
        for m in messages[generation_done:]
    )
    assert generation_done < index_of(messages, "turn_complete") == len(messages) - 1
    # Usage by modality (model.py: 25 tokens per second of audio): 1 s heard, 1 s spoken.
    usage = messages[-1].usage_metadata
    assert usage is not None
    details = [
        (d.modality, d.token_count)
        for d in (*(usage.prompt_tokens_details or ()), *(usage.response_tokens_details or ()))
    ]
    assert details == [(types.MediaModality.AUDIO, 25), (types.MediaModality.AUDIO, 25)]
    assert len(audio) == 2 * OUTPUT_RATE  # that 1 s of reply audio
    assert (usage.prompt_token_count, usage.response_token_count) == (25, 25)
    assert emu.last_session.transcript == (
        "user: <speech 1.00s>",
        "model: Echo: <speech 1.00s>",
    )


# -- a tool call round trip -------------------------------------------------------------------
def weather_tool(behavior: types.Behavior | None = None) -> types.Tool:
    declaration = types.FunctionDeclaration(
        name="get_weather",
        description="Current weather for a city.",
        parameters=types.Schema(
            type=types.Type.OBJECT,
            properties={"city": types.Schema(type=types.Type.STRING)},
            required=["city"],
        ),
        behavior=behavior,
    )
    return types.Tool(function_declarations=[declaration])


async def test_blocking_tool_call_round_trip(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    config = text_config(tools=[weather_tool(types.Behavior.BLOCKING)])
    calls: list[types.FunctionCall] = []
    messages: list[types.LiveServerMessage] = []
    async with connect(genai_client(emu), config) as session:
        await session.send_realtime_input(text='call get_weather {"city": "Paris"}')
        async with asyncio.timeout(WAIT), contextlib.aclosing(stream_of(session)) as stream:
            # One receive() spans the whole turn: turnComplete is held until the response (§6.1).
            async for message in stream:
                messages.append(message)
                if message.tool_call and message.tool_call.function_calls:
                    calls.extend(message.tool_call.function_calls)
                    await session.send_tool_response(
                        function_responses=[
                            types.FunctionResponse(
                                id=call.id, name=call.name, response={"output": {"temp_c": 21}}
                            )
                            for call in message.tool_call.function_calls
                        ]
                    )

    assert [(c.id, c.name, c.args) for c in calls] == [("fc-1", "get_weather", {"city": "Paris"})]
    assert messages[0].tool_call is not None, "the call comes first, before any content"
    assert reply_text(messages) == 'Result of get_weather: {"temp_c":21}'
    assert index_of(messages, "generation_complete") < index_of(messages, "turn_complete")
    assert emu.last_session.transcript == (
        'user: call get_weather {"city": "Paris"}',
        'function_call: get_weather {"city":"Paris"}',
        'function_response: get_weather {"output":{"temp_c":21}}',
        'model: Result of get_weather: {"temp_c":21}',
    )


async def test_non_blocking_tool_result_is_spoken_in_its_own_turn(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    # gemini-3.8-live declares functions NON_BLOCKING by default (§8.2).
    config = text_config(tools=[weather_tool()])
    async with connect(genai_client(emu), config) as session:
        first = await say(session, 'call get_weather {"city": "Oslo"}')
        call_messages = [m for m in first if m.tool_call]
        assert len(call_messages) == 1 and call_messages[0].tool_call is not None
        call = (call_messages[0].tool_call.function_calls or [])[0]
        await session.send_tool_response(
            function_responses=types.FunctionResponse(
                id=call.id,
                name=call.name,
                response={"output": "snow"},
                scheduling=types.FunctionResponseScheduling.WHEN_IDLE,
            )
        )
        second = await read_turn(session)

    assert (call.name, call.args) == ("get_weather", {"city": "Oslo"})
    # The call goes out at once; the model keeps talking and ends its turn without the result.
    assert first[0].tool_call is not None
    assert reply_text(first) == "Working on get_weather."
    assert reply_text(second) == 'Result of get_weather: "snow"'


# -- goAway -----------------------------------------------------------------------------------
async def test_go_away_then_close_at_the_deadline(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator(connection_lifetime=0.9, go_away_before=0.6)
    loop = asyncio.get_running_loop()
    async with connect(genai_client(emu), text_config()) as session:
        messages = await read_until(session, lambda m: m.go_away is not None)
        warned_at = loop.time()
        with pytest.raises(errors.APIError) as closed:
            await read_turn(session)
        closed_at = loop.time()

    assert len(messages) == 1, "nothing but goAway on an idle connection"
    assert messages[0].go_away is not None
    assert messages[0].go_away.time_left == "0.6s"  # a Duration string (§2.3, §5.3)
    # The server ends the connection about timeLeft later: 1000 "The operation was cancelled."
    assert 0.3 <= closed_at - warned_at <= 2.5
    assert closed.value.code == emu.options.lifetime_close_code == 1000
    assert "The operation was cancelled." in str(closed.value)


async def test_go_away_then_resume_on_a_new_connection(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator(connection_lifetime=2.0, go_away_before=1.2)
    client = genai_client(emu)
    config = text_config(session_resumption=types.SessionResumptionConfig())
    async with connect(client, config) as session:
        assert reply_text(await say(session, "remember the milk")) == "Echo: remember the milk"
        # Keep reading after turnComplete (§16 item 4): the handle, then goAway.
        later = await read_until(session, lambda m: m.go_away is not None)
    handles = [h for h in map(resumable_handle, later) if h is not None]
    assert handles, "a resumable handle must arrive after the turn, before goAway"

    # The old socket is closed first (§16 item 5), then the session continues with the handle.
    resumed = text_config(session_resumption=types.SessionResumptionConfig(handle=handles[-1]))
    async with connect(client, resumed) as session:
        assert reply_text(await say(session, "recap")) == "Recap: remember the milk"
    assert len(emu.sessions) == 1
    assert emu.last_session.resumed_from == [handles[-1]]


# -- resumption with a handle -----------------------------------------------------------------
async def test_resumption_restores_the_conversation_as_of_each_handle(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    client = genai_client(emu)
    config = text_config(session_resumption=types.SessionResumptionConfig())
    async with connect(client, config) as session:
        await say(session, "first point")
        older = await next_handle(session)
        await say(session, "second point")
        newer = await next_handle(session)
    assert older != newer
    assert [older, newer] == [h for h in emu.last_session.handles if h in (older, newer)]

    def resume(handle: str) -> types.LiveConnectConfig:
        return text_config(session_resumption=types.SessionResumptionConfig(handle=handle))

    async with connect(client, resume(newer)) as session:
        assert reply_text(await say(session, "recap")) == "Recap: first point | second point"
    # An older handle restores the state as of when it was issued; what followed is lost (§5.4).
    async with connect(client, resume(older)) as session:
        assert reply_text(await say(session, "recap")) == "Recap: first point"

    assert len(emu.sessions) == 1
    assert emu.last_session.resumed_from == [newer, older]
    assert emu.last_session.connections == 3


async def test_unknown_handle_is_refused_at_setup(
    tls_emulator: MakeEmulator, genai_client: ClientFactory
) -> None:
    emu = await tls_emulator()
    config = text_config(session_resumption=types.SessionResumptionConfig(handle="no-such-handle"))
    with pytest.raises(errors.APIError) as refused:
        async with connect(genai_client(emu), config):
            pass
    # A close instead of setupComplete (§12): 1008 "Requested entity was not found."
    assert refused.value.code == 1008
    assert "Requested entity was not found." in str(refused.value)
    assert emu.sessions == []
