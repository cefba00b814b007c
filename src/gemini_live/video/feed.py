"""Pace video frames into a session: newest frame wins, encoding off the event loop.

The service wants about one frame per second (§11) and every frame costs tokens, but cameras
produce 30 per second. :class:`VideoFeed` sits between them:

* :meth:`VideoFeed.submit` is cheap and never waits: it keeps only the newest frame. A frame
  replaced before it was sent is *stale*: dropped and counted (``stats().stale``), never queued.
* :meth:`VideoFeed.run` sends at most ``fps`` frames per second (:class:`FramePacer`), each
  downsized and JPEG-encoded by :func:`~gemini_live.video.frames.encode_frame` in a worker thread
  (``asyncio.to_thread``), so a large frame never blocks the loop that sends audio.
* A frame that cannot be encoded (corrupt JPEG, wrong array shape) is dropped, counted
  (``stats().rejected``) and logged; the feed and the session go on. Input that is wrong in kind
  (non-JPEG bytes, an unsupported type) is refused by :meth:`submit` itself with a typed error.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gemini_live.client.writer import SessionWriter
from gemini_live.video.frames import (
    DEFAULT_MAX_EDGE,
    DEFAULT_QUALITY,
    check_frame_bytes,
    encode_frame,
    is_frame,
)

__all__ = ["FramePacer", "VideoFeed", "VideoFeedStats"]

log = logging.getLogger("gemini_live.video")


class FramePacer:
    """At most ``fps`` sends per second; pure (time is passed in)."""

    __slots__ = ("_interval", "_next")

    def __init__(self, fps: float = 1.0) -> None:
        if isinstance(fps, bool) or not isinstance(fps, int | float):
            raise TypeError(f"fps must be a number, got {type(fps).__name__}")
        if not math.isfinite(fps) or fps <= 0:
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self._interval = 1.0 / fps
        self._next: float | None = None

    @property
    def interval(self) -> float:
        """Seconds between two sends (``1 / fps``)."""
        return self._interval

    def delay(self, now: float) -> float:
        """Seconds to wait before the next send may happen (0 if it may happen now)."""
        return 0.0 if self._next is None else max(0.0, self._next - now)

    def sent(self, now: float) -> None:
        """A frame went out at ``now``: the next one waits one interval."""
        self._next = now + self._interval


@dataclass(frozen=True, slots=True)
class VideoFeedStats:
    """``submitted`` frames; ``sent``; ``stale`` (replaced by a newer frame before sending);
    ``rejected`` (could not be encoded)."""

    submitted: int
    sent: int
    stale: int
    rejected: int


class VideoFeed:
    """Throttled, downsized JPEG video into a :class:`SessionWriter`; see the module docstring.

    Run it with ``async with VideoFeed(session) as feed:`` (a task owned by the feed, awaited on
    exit) or ``await feed.run()`` in your own task group.

    ``clock`` (seconds, monotonic; default: the running loop's clock) and ``sleep`` (default
    :func:`asyncio.sleep`) time the pacing; a test passes a simulated pair to check the pacing
    exactly, whatever the machine's load.
    """

    def __init__(
        self,
        writer: SessionWriter,
        *,
        fps: float = 1.0,
        max_edge: int = DEFAULT_MAX_EDGE,
        quality: int = DEFAULT_QUALITY,
        encoder: Callable[..., bytes] = encode_frame,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._writer = writer
        self._pacer = FramePacer(fps)
        self._max_edge = max_edge
        self._quality = quality
        if isinstance(max_edge, bool) or not isinstance(max_edge, int) or max_edge < 16:
            raise ValueError(f"max_edge must be an int >= 16 pixels, got {max_edge!r}")
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 95:
            raise ValueError(f"quality must be an int within 1..95, got {quality!r}")
        self._encoder = encoder
        self._clock = clock
        self._sleep = sleep
        self._latest: Any = None
        self._has_frame = False
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._submitted = self._sent = self._stale = self._rejected = 0

    def submit(self, frame: object) -> None:
        """Offer a frame (JPEG bytes, numpy uint8 array or PIL image); never waits.

        The previous frame, if not sent yet, is dropped as stale. Raises ``TypeError`` for an
        unsupported kind and ``ValueError`` for bytes that are not JPEG.
        """
        if not is_frame(frame):
            raise TypeError(
                "a video frame must be JPEG bytes, a numpy uint8 array or a PIL image, "
                f"got {type(frame).__name__}"
            )
        if isinstance(frame, bytes | bytearray | memoryview):
            frame = check_frame_bytes(frame)
        if self._has_frame:
            self._stale += 1
        self._latest = frame
        self._has_frame = True
        self._submitted += 1
        self._wakeup.set()

    def stats(self) -> VideoFeedStats:
        """Counters since the feed was made."""
        return VideoFeedStats(self._submitted, self._sent, self._stale, self._rejected)

    async def run(self) -> None:
        """Send frames until cancelled. Safe to cancel at any point (a frame being encoded is
        abandoned, one already accepted by the writer stays sent); run one at a time."""
        clock = self._clock or asyncio.get_running_loop().time
        while True:
            while not self._has_frame:
                self._wakeup.clear()
                await self._wakeup.wait()
            delay = self._pacer.delay(clock())
            if delay > 0:
                await self._sleep(delay)  # newer frames replace the waiting one meanwhile
            frame, self._latest, self._has_frame = self._latest, None, False
            # The interval counts from when the frame was taken, so encoding time does not
            # lower the frame rate below ``fps`` (as long as one encode fits in an interval).
            self._pacer.sent(clock())
            try:
                jpeg = await asyncio.to_thread(
                    self._encoder, frame, max_edge=self._max_edge, quality=self._quality
                )
            except (TypeError, ValueError, OSError) as exc:
                self._rejected += 1
                log.warning("video frame dropped: %s", exc)
                continue
            await self._writer.send_video(jpeg)
            self._sent += 1

    async def __aenter__(self) -> VideoFeed:
        self._task = asyncio.get_running_loop().create_task(self.run(), name="video feed")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        # wait() never raises the task's own cancellation, only ours (which must propagate).
        await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # e.g. SessionClosed from send_video
