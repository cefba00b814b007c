"""The user's floor over a real socket: model output in flight after ``activityStart``.

The scripted peer waits until it has received the client's ``activityStart`` and only then sends
model audio (what a real service had already put on the wire when the user started talking),
its ``interrupted`` and ``turnComplete``. The order is fixed by the peer, so nothing depends on
timing: the phase must stay ``UserSpeaking`` until the user's ``activityEnd``.
"""

from __future__ import annotations

import base64
from typing import Any

from gemini_live import AudioChunk, Interrupted, Phase, PhaseChanged, TurnComplete
from gemini_live.protocol.config import GenerationConfig, LiveConfig
from tests.client.emulated import MANUAL_VAD
from tests.client.peer import Peer
from tests.client.rawpeer import connect, read_until

CONFIG = LiveConfig(
    generation_config=GenerationConfig(response_modalities=("AUDIO",)),
    realtime_input_config=MANUAL_VAD,
)
AUDIO: dict[str, Any] = {
    "serverContent": {
        "modelTurn": {
            "parts": [
                {
                    "inlineData": {
                        "mimeType": "audio/pcm;rate=24000",
                        "data": base64.b64encode(b"\x00\x01" * 480).decode(),
                    }
                }
            ]
        }
    }
}
INTERRUPTED = {"serverContent": {"interrupted": True}}
DONE = {"serverContent": {"turnComplete": True}}


def _moves(events: list[Any]) -> list[Phase]:
    return [e.new for e in events if isinstance(e, PhaseChanged)]


async def test_model_audio_after_activity_start_keeps_the_user_speaking() -> None:
    async with Peer() as peer, connect(peer.base_url, CONFIG) as session:
        events = session.events()
        await peer.send(AUDIO)
        await read_until(events, AudioChunk)
        assert session.phase is Phase.MODEL_SPEAKING

        await session.signal_activity_start()  # barge in
        assert session.phase is Phase.USER_SPEAKING
        (sent,) = await peer.wait_for_messages(1)
        assert sent == {"realtimeInput": {"activityStart": {}}}
        # Only now: audio the service sent before it saw activityStart, then its cut.
        for frame in (AUDIO, AUDIO, INTERRUPTED, AUDIO, DONE):
            await peer.send(frame)
        cut = await read_until(events, TurnComplete)
        assert [type(e) for e in cut if not isinstance(e, PhaseChanged)] == [
            AudioChunk,
            AudioChunk,
            Interrupted,
            AudioChunk,
            TurnComplete,
        ]
        # The first move is the opening chunk's (read_until stopped at its cause).
        assert _moves(cut) == [Phase.MODEL_SPEAKING, Phase.USER_SPEAKING]
        assert session.phase is Phase.USER_SPEAKING
        assert session.statistics().ignored_phase_triggers == 0

        await session.signal_activity_end()
        assert session.phase is Phase.ACTIVE
        await peer.wait_for_messages(2)
        await peer.send(AUDIO)  # the answer to what the user said
        await peer.send(DONE)
        answer = await read_until(events, TurnComplete)
        # (The move back to Active follows TurnComplete, where read_until stopped.)
        assert _moves(answer) == [Phase.ACTIVE, Phase.MODEL_SPEAKING]
        assert session.phase is Phase.ACTIVE
