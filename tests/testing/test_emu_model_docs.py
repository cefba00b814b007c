"""The emulator's documented tool-behaviour defaults are the ones it applies, model by model."""

from __future__ import annotations

import re

import pytest

from gemini_live.testing import DEFAULT_MODELS, Emulator
from gemini_live.testing.emulator import model
from tests.testing.emu_client import RawClient, kinds, text_of

TEXT = {"responseModalities": ["TEXT"]}
UNDECLARED = [{"functionDeclarations": [{"name": "f"}]}]  # no behavior: the model decides


def documented_non_blocking() -> set[str]:
    doc = " ".join((model.__doc__ or "").split())
    sentence = re.search(r"NON_BLOCKING on (.*?), BLOCKING on every other model", doc)
    assert sentence is not None, "model.py no longer documents the per-model default"
    return set(re.findall(r"``([\w.\-]+)``", sentence.group(1)))


async def observed_behaviour(emu: Emulator, model_id: str) -> str:
    vertex = model_id.startswith("gemini-live-")  # the Vertex-only names
    url = emu.url_for("vertex" if vertex else "google_ai")
    name = f"publishers/google/models/{model_id}" if vertex else f"models/{model_id}"
    client = await RawClient.open(url)
    try:
        reply = await client.setup(model=name, generationConfig=TEXT, tools=UNDECLARED)
        assert "setupComplete" in reply, reply
        await client.text("call f {}")
        first = await client.recv(timeout=5)
        assert kinds([first]) == ["toolCall"], first
        try:
            follow = [await client.recv(timeout=0.5)]
        except TimeoutError:
            return "BLOCKING"  # the turn is held until the response comes
        while "turnComplete" not in follow[-1].get("serverContent", {}):
            follow.append(await client.recv(timeout=5))
        assert text_of(follow) == "Working on f."
        return "NON_BLOCKING"
    finally:
        await client.close()


@pytest.mark.parametrize("model_id", DEFAULT_MODELS)
async def test_the_documented_default_is_applied(live_emulator: Emulator, model_id: str) -> None:
    expected = "NON_BLOCKING" if model_id in documented_non_blocking() else "BLOCKING"
    assert await observed_behaviour(live_emulator, model_id) == expected


def test_the_default_model_is_among_the_documented_non_blocking_ones() -> None:
    assert "gemini-3.8-live" in documented_non_blocking()
