"""Compact storage of unconfirmed real-time media (audio/video) for the resumption tracker.

A session streams 50 audio chunks a second; until the service confirms them each must stay
replayable. Keeping each as its JSON frame in a record object (a base64 string, a tuple, a float,
a dict entry: about 1.3 KB and four objects per 20 ms chunk) made the client's memory and its
garbage collector's work grow with the buffer. Here a chunk costs its raw bytes once plus 40 bytes
of numbers in parallel arrays: no object per chunk but the payload itself, which is not a
container the garbage collector visits. The frame is rebuilt only when it is replayed or
inspected, byte for byte the one that was sent (a frame that could not be rebuilt exactly is kept
as it is).

A stale chunk's payload can be released while its numbers stay (``release_stale``): it would be
dropped at replay anyway, but whether it was confirmed first still has to be known to count it.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator

from gemini_live.protocol._base64 import decode_strict, encode_standard

__all__ = ["MediaBuffer"]

_TAIL = '"}}}'
_DATA = ',"data":"'
_PREFIXES = ('{"realtimeInput":{"audio":{"mimeType":', '{"realtimeInput":{"video":{"mimeType":')
_KINDS = ("audio", "video")
_VERBATIM = -1  # the payload is the frame itself (str)
_MAX_HEADS = 32


class MediaBuffer:
    """Unconfirmed audio/video records in seq order; see the module docstring."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._seq = array("q")
        self._connection = array("q")
        self._index = array("q")
        self._at = array("d")
        self._kind = array("b")
        self._head_id = array("b")  # index into _heads, or _VERBATIM
        self._size = array("q")  # bytes held for this record (0 once released)
        self._payload: list[bytes | str | None] = []
        self._start = 0  # records before this position are gone (compacted lazily)
        self._fresh = 0  # records before this position have no payload (released as stale)
        self._heads: list[str] = []
        self._head_ids: dict[str, int] = {}
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._seq) - self._start

    # --- writing ----------------------------------------------------------------------------

    def append(
        self, seq: int, kind: str, frame: str, written_at: float, connection: int, index: int
    ) -> int:
        """Buffer one record (seq greater than any buffered); returns the bytes it holds."""
        head_id, payload = self._split(kind, frame)
        size = len(payload) if head_id != _VERBATIM else _text_size(frame)
        self._seq.append(seq)
        self._connection.append(connection)
        self._index.append(index)
        self._at.append(written_at)
        self._kind.append(_KINDS.index(kind))
        self._head_id.append(head_id)
        self._size.append(size)
        self._payload.append(payload)
        self.bytes += size
        return size

    def _split(self, kind: str, frame: str) -> tuple[int, bytes | str]:
        # encode_audio/encode_video frames: a head naming the MIME type, base64, a fixed tail.
        prefix = _PREFIXES[_KINDS.index(kind)]
        if not (frame.startswith(prefix) and frame.endswith(_TAIL)):
            return _VERBATIM, frame
        # Inside a JSON string every quote is escaped, so the first ',"data":"' is the key.
        cut = frame.find(_DATA, len(prefix))
        if cut < 0:
            return _VERBATIM, frame
        start = cut + len(_DATA)
        text = frame[start : -len(_TAIL)]
        try:
            data = decode_strict(text)
        except ValueError:
            return _VERBATIM, frame
        if encode_standard(data) != text:  # not canonical: could not be rebuilt exactly
            return _VERBATIM, frame
        head = frame[:start]
        head_id = self._head_ids.get(head)
        if head_id is None:
            if len(self._heads) >= _MAX_HEADS:  # a session uses one or two MIME types
                return _VERBATIM, frame
            head_id = self._head_ids[head] = len(self._heads)
            self._heads.append(head)
        return head_id, data

    def set_written(self, position: int, connection: int, index: int) -> None:
        self._connection[position] = connection
        self._index[position] = index

    # --- reading ----------------------------------------------------------------------------

    def positions(self) -> range:
        return range(self._start, len(self._seq))

    def find(self, seq: int) -> int | None:
        """The position of the record with ``seq``, or ``None``."""
        position = bisect.bisect_left(self._seq, seq, self._start)
        if position < len(self._seq) and self._seq[position] == seq:
            return position
        return None

    def seq(self, position: int) -> int:
        return self._seq[position]

    def connection(self, position: int) -> int:
        return self._connection[position]

    def index(self, position: int) -> int:
        return self._index[position]

    def written_at(self, position: int) -> float:
        return self._at[position]

    def kind(self, position: int) -> str:
        return _KINDS[self._kind[position]]

    def released(self, position: int) -> bool:
        return self._payload[position] is None

    def frame(self, position: int) -> str:
        """The frame exactly as it was sent (``""`` for a released record)."""
        payload = self._payload[position]
        if payload is None:
            return ""
        if isinstance(payload, str):
            return payload
        return self._heads[self._head_id[position]] + encode_standard(payload) + _TAIL

    # --- removing ---------------------------------------------------------------------------

    def pop_oldest(self) -> None:
        self._drop(self._start)
        self._start += 1
        self._fresh = max(self._fresh, self._start)
        self._compact()

    def release_stale(self, now: float, max_age: float) -> None:
        """Release the payloads of the oldest records written more than ``max_age`` before
        ``now`` (stops at the first younger one: records are in write order)."""
        position = self._fresh
        end = len(self._seq)
        at = self._at
        while position < end and now - at[position] > max_age:
            self._drop(position)
            position += 1
        self._fresh = position

    def remove(self, positions: list[int]) -> None:
        """Remove the records at ``positions`` (ascending)."""
        if not positions:
            return
        if positions[-1] - self._start == len(positions) - 1:  # a prefix: the usual case
            for position in positions:
                self._drop(position)
            self._start = positions[-1] + 1
            self._fresh = max(self._fresh, self._start)
            self._compact()
            return
        gone = set(positions)
        keep = [p for p in self.positions() if p not in gone]
        for position in positions:
            self._drop(position)
        fresh = self._fresh
        self._fresh = sum(1 for p in keep if p < fresh)
        self._rebuild(keep)

    def clear(self) -> None:
        self._reset()

    def _drop(self, position: int) -> None:
        self.bytes -= self._size[position]
        self._size[position] = 0
        self._payload[position] = None

    def _compact(self) -> None:
        # Slide the arrays when the removed prefix is both large and most of them.
        if self._start > 256 and self._start * 2 > len(self._seq):
            self._rebuild(list(self.positions()), fresh_shift=self._start)

    def _rebuild(self, keep: list[int], fresh_shift: int | None = None) -> None:
        for name in ("_seq", "_connection", "_index", "_at", "_kind", "_head_id", "_size"):
            old = getattr(self, name)
            setattr(self, name, array(old.typecode, [old[p] for p in keep]))
        self._payload = [self._payload[p] for p in keep]
        if fresh_shift is not None:
            self._fresh = max(0, self._fresh - fresh_shift)
        self._start = 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.positions())


def _text_size(frame: str) -> int:
    # isascii() is O(1) in CPython, and media frames (base64 in JSON) are always ASCII.
    return len(frame) if frame.isascii() else len(frame.encode("utf-8"))
