"""Media I/O wired to a session and to devices: the I/O side of :mod:`gemini_live.audio`.

:mod:`gemini_live.audio` is pure (no threads, no event loop, no devices); this package holds
what needs them:

* :mod:`~gemini_live.media.devices`: ``Microphone`` and ``Speaker`` through ``sounddevice``
  (``pip install 'gemini-live[audio]'``), one ``AudioDeviceError`` for anything device-related.
* :mod:`~gemini_live.media.wiring`: ``feed_playback`` (session events into a playback buffer)
  and ``stream_microphone`` (chunks into ``send_audio``, framed by the client VAD).
* :mod:`~gemini_live.media.reader`: ``PlaybackReader``, an async pull for self-paced sinks.

Video's paced sender is :class:`gemini_live.video.VideoFeed`.
"""

from __future__ import annotations

from gemini_live.media.devices import Microphone, Speaker, require_sounddevice
from gemini_live.media.reader import PlaybackReader
from gemini_live.media.wiring import feed_playback, stream_microphone

__all__ = [
    "Microphone",
    "PlaybackReader",
    "Speaker",
    "feed_playback",
    "require_sounddevice",
    "stream_microphone",
]
