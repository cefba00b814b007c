"""A raw WebSocket client for driving the emulator in tests (independent of gemini_live.client)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

__all__ = ["RawClient", "audio_bytes", "kinds", "text_of", "transcript_of"]

Frame = dict[str, Any]


class RawClient:
    """Plain JSON over a websockets client; every wait is bounded."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        api_key: str | None = "test-key",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> RawClient:
        all_headers = dict(headers or {})
        if api_key is not None:
            all_headers.setdefault("x-goog-api-key", api_key)
        async with asyncio.timeout(5):
            ws = await connect(url, additional_headers=all_headers, open_timeout=5, **kwargs)
        return cls(ws)

    async def send(self, message: Frame | str | bytes) -> None:
        data = message if isinstance(message, str | bytes) else json.dumps(message)
        await self.ws.send(data)

    async def recv(self, timeout: float = 3.0) -> Frame:
        async with asyncio.timeout(timeout):
            data = await self.ws.recv()
        frame: Frame = json.loads(data)
        self.frames.append(frame)
        return frame

    async def recv_until(
        self, predicate: Callable[[Frame], bool], timeout: float = 5.0
    ) -> list[Frame]:
        """Frames up to and including the first one matching ``predicate``."""
        out: list[Frame] = []
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv(timeout)
                out.append(frame)
                if predicate(frame):
                    return out

    async def turn(self, timeout: float = 5.0) -> list[Frame]:
        """Frames up to and including the next turnComplete."""
        return await self.recv_until(
            lambda f: bool(f.get("serverContent", {}).get("turnComplete")), timeout
        )

    async def setup(self, model: str = "models/gemini-3.8-live", **fields: Any) -> Frame:
        await self.send({"setup": {"model": model, **fields}})
        return await self.recv()

    async def text(self, text: str) -> None:
        await self.send({"realtimeInput": {"text": text}})

    async def audio(self, pcm: bytes, rate: int = 16000, *, urlsafe: bool = False) -> None:
        encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
        await self.send(
            {
                "realtimeInput": {
                    "audio": {"mimeType": f"audio/pcm;rate={rate}", "data": encode(pcm).decode()}
                }
            }
        )

    async def expect_close(self, timeout: float = 3.0) -> tuple[int | None, str]:
        """Read until the connection closes; returns (code, reason) of the server's close."""
        async with asyncio.timeout(timeout):
            try:
                while True:
                    data = await self.ws.recv()
                    self.frames.append(json.loads(data))
            except ConnectionClosed as closed:
                rcvd = closed.rcvd
                return (rcvd.code if rcvd else None, rcvd.reason if rcvd else "")

    async def close(self) -> None:
        async with asyncio.timeout(3):
            await self.ws.close()


def kinds(frames: list[Frame]) -> list[str]:
    """A compact label per frame: 'setupComplete', 'text', 'audio', 'generationComplete', ..."""
    out: list[str] = []
    for frame in frames:
        content = frame.get("serverContent")
        if content is None:
            out.extend(k for k in frame if k != "usageMetadata")
            continue
        for key in (
            "interrupted",
            "modelTurn",
            "inputTranscription",
            "outputTranscription",
            "generationComplete",
            "turnComplete",
        ):
            if key not in content:
                continue
            if key == "modelTurn":
                part = content["modelTurn"]["parts"][0]
                out.append("text" if "text" in part else "audio")
            else:
                out.append(key)
    return out


def text_of(frames: list[Frame]) -> str:
    """Concatenated modelTurn text parts."""
    return "".join(
        p["text"]
        for f in frames
        for p in f.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        if "text" in p
    )


def audio_bytes(frames: list[Frame]) -> bytes:
    """Concatenated modelTurn audio."""
    return b"".join(
        base64.b64decode(p["inlineData"]["data"])
        for f in frames
        for p in f.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        if "inlineData" in p
    )


def transcript_of(frames: list[Frame], key: str = "outputTranscription") -> str:
    return "".join(
        f["serverContent"][key]["text"] for f in frames if key in f.get("serverContent", {})
    )
