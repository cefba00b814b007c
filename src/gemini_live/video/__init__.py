"""Video for the Live API: throttled, downsized JPEG frames that never delay audio.

* :class:`~gemini_live.video.feed.VideoFeed`: submit frames at any rate; the newest is sent at
  most ``fps`` times a second (default 1), encoded in a worker thread.
* :func:`~gemini_live.video.frames.encode_frame`: JPEG bytes / numpy array / PIL image to a JPEG
  whose longer edge is at most 768 px (Pillow: ``pip install 'gemini-live[video]'``).
"""

from __future__ import annotations

from gemini_live.video.feed import FramePacer, VideoFeed, VideoFeedStats
from gemini_live.video.frames import DEFAULT_MAX_EDGE, DEFAULT_QUALITY, encode_frame

__all__ = [
    "DEFAULT_MAX_EDGE",
    "DEFAULT_QUALITY",
    "FramePacer",
    "VideoFeed",
    "VideoFeedStats",
    "encode_frame",
]
