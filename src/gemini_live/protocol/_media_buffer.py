"""Compact storage of unconfirmed real-time media (audio/video) for the resumption tracker.

A session streams 50 audio chunks a second; until the service confirms them each must stay
replayable. Keeping each as its JSON frame in a record object (a base64 string, a tuple, a float,
a dict entry: about 1.3 KB and four objects per 20 ms chunk) made the client's memory and its
garbage collector's work grow with the buffer. Here a chunk costs its raw bytes once plus 64 bytes
of numbers and a pointer: no object per chunk but the payload itself, which is not a container
the garbage collector visits. The frame is rebuilt only when it is replayed or
inspected, byte for byte the one that was sent (a frame that could not be rebuilt exactly is kept
as it is).

A stale chunk's payload can be released while its numbers stay (``release_stale``): it would be
dropped at replay anyway, but whether it was confirmed first still has to be known to count it.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from gemini_live.protocol._base64 import decode_strict, encode_standard

__all__ = ["MediaBuffer"]

_TAIL = '"}}}'
_DATA = ',"data":"'
_PREFIXES = ('{"realtimeInput":{"audio":{"mimeType":', '{"realtimeInput":{"video":{"mimeType":')
_KINDS = ("audio", "video")
_VERBATIM = -1  # the payload is the frame itself (str)
_MAX_HEADS = 32
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SEXTET = {c: i for i, c in enumerate(_ALPHABET)}

# One record's numbers, packed in one row of a bytearray (appending a record is one C call):
# seq, connection, index, written_at, head id, kind, bytes held.
_ROW = struct.Struct("<qiqdbbi")
_STRIDE = _ROW.size
_pack = _ROW.pack
_CONNECTION_INDEX = struct.Struct("<iq")  # the two fields a replay rewrites, at offset 8
_SIZE = struct.Struct("<i")  # at offset 30
_SEQ = struct.Struct("<q")  # at offset 0


def _canonical(text: str) -> bool:
    """Whether strictly decoded standard base64 ``text`` is exactly what encoding gives back
    (padded, and the bits the padding leaves over are zero)."""
    if len(text) % 4:
        return False
    if text.endswith("=="):
        return _SEXTET.get(text[-3], 1) & 0x0F == 0
    if text.endswith("="):
        return _SEXTET.get(text[-2], 1) & 0x03 == 0
    return True


class MediaBuffer:
    """Unconfirmed audio/video records in seq order; see the module docstring.

    Records are addressed by position (``positions()``), valid until the next removal.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._meta = bytearray()
        self._payload: list[bytes | str | None] = []
        self._start = 0  # records before this position are gone (compacted lazily)
        self._fresh = 0  # records before this position have no payload (released as stale)
        self._heads: list[str] = []
        self._head_ids: dict[str, int] = {}
        self._last_head = "\x00"  # the head of the previous frame, tried first
        self._last_head_id = 0
        self.count = 0
        self.bytes = 0

    def __len__(self) -> int:
        return self.count

    # --- writing ----------------------------------------------------------------------------

    def append(
        self, seq: int, kind: str, frame: str, written_at: float, connection: int, index: int
    ) -> None:
        """Buffer one record (seq greater than any buffered)."""
        # encode_audio/encode_video frames: a head naming the MIME type, base64, a fixed tail.
        # A session's frames share one head: try the previous one before parsing.
        head = self._last_head
        head_id = self._last_head_id
        payload: bytes | str = frame
        if not (frame.startswith(head) and frame.endswith(_TAIL)):
            head_id = self._head_of(kind, frame)
            head = self._heads[head_id] if head_id != _VERBATIM else ""
        if head_id != _VERBATIM:
            text = frame[len(head) : -len(_TAIL)]
            try:
                payload = decode_strict(text)
            except ValueError:
                head_id = _VERBATIM
            else:
                if not _canonical(text):  # could not be rebuilt exactly: keep it as sent
                    payload = frame
                    head_id = _VERBATIM
        size = len(payload) if head_id != _VERBATIM else _text_size(frame)
        self._meta += _pack(seq, connection, index, written_at, head_id, _KINDS.index(kind), size)
        self._payload.append(payload)
        self.count += 1
        self.bytes += size

    def _head_of(self, kind: str, frame: str) -> int:
        prefix = _PREFIXES[_KINDS.index(kind)]
        if not (frame.startswith(prefix) and frame.endswith(_TAIL)):
            return _VERBATIM
        # Inside a JSON string every quote is escaped, so the first ',"data":"' is the key.
        cut = frame.find(_DATA, len(prefix))
        if cut < 0:
            return _VERBATIM
        head = frame[: cut + len(_DATA)]
        head_id = self._head_ids.get(head)
        if head_id is None:
            if len(self._heads) >= _MAX_HEADS:  # a session uses one or two MIME types
                return _VERBATIM
            head_id = self._head_ids[head] = len(self._heads)
            self._heads.append(head)
        self._last_head = head
        self._last_head_id = head_id
        return head_id

    def set_written(self, position: int, connection: int, index: int) -> None:
        _CONNECTION_INDEX.pack_into(self._meta, position * _STRIDE + 8, connection, index)

    # --- reading ----------------------------------------------------------------------------

    def positions(self) -> range:
        return range(self._start, len(self._payload))

    def find(self, seq: int) -> int | None:
        """The position of the record with ``seq``, or ``None``."""
        low, high = self._start, len(self._payload)
        meta = self._meta
        while low < high:  # binary search on the seq column
            middle = (low + high) // 2
            if _SEQ.unpack_from(meta, middle * _STRIDE)[0] < seq:
                low = middle + 1
            else:
                high = middle
        if low < len(self._payload) and _SEQ.unpack_from(meta, low * _STRIDE)[0] == seq:
            return low
        return None

    def row(self, position: int) -> tuple[int, int, int, float, int, int, int]:
        """seq, connection, index, written_at, head id, kind code, bytes held."""
        return _ROW.unpack_from(self._meta, position * _STRIDE)

    def seq(self, position: int) -> int:
        return self.row(position)[0]

    def connection(self, position: int) -> int:
        return self.row(position)[1]

    def index(self, position: int) -> int:
        return self.row(position)[2]

    def written_at(self, position: int) -> float:
        return self.row(position)[3]

    def kind(self, position: int) -> str:
        return _KINDS[self.row(position)[5]]

    @property
    def released_count(self) -> int:
        """How many buffered records have had their bytes released (they lead the buffer)."""
        return self._fresh - self._start

    def released(self, position: int) -> bool:
        return self._payload[position] is None

    def frame(self, position: int) -> str:
        """The frame exactly as it was sent (``""`` for a released record)."""
        payload = self._payload[position]
        if payload is None:
            return ""
        if isinstance(payload, str):
            return payload
        return self._heads[self.row(position)[4]] + encode_standard(payload) + _TAIL

    def covered(self, connection: int, limit: float, in_order: bool) -> list[int]:
        """Positions of the records written on ``connection`` with index <= ``limit``.

        ``in_order``: the records of ``connection`` were written in seq order (their indexes
        grow with their positions), so the scan stops at the first one past ``limit`` instead
        of reading the whole buffer on every update."""
        rows = _ROW.iter_unpack(memoryview(self._meta)[self._start * _STRIDE :])
        if not in_order:
            return [
                position
                for position, row in enumerate(rows, self._start)
                if row[1] == connection and row[2] <= limit
            ]
        out = []
        for position, row in enumerate(rows, self._start):
            if row[1] == connection:
                if row[2] > limit:
                    break
                out.append(position)
        return out

    # --- removing ---------------------------------------------------------------------------

    def pop_oldest(self) -> None:
        self._drop(self._start)
        self._start += 1
        self.count -= 1
        if self._fresh < self._start:
            self._fresh = self._start
        self._compact()

    def release_stale(self, now: float, max_age: float) -> None:
        """Release the payloads of the oldest records written more than ``max_age`` before
        ``now`` (stops at the first younger one: records are in write order)."""
        position = self._fresh
        end = len(self._payload)
        meta = self._meta
        unpack = _ROW.unpack_from
        while position < end and now - unpack(meta, position * _STRIDE)[3] > max_age:
            self._drop(position)
            position += 1
        self._fresh = position

    def remove(self, positions: list[int]) -> None:
        """Remove the records at ``positions`` (ascending)."""
        if not positions:
            return
        for position in positions:
            self._drop(position)
        self.count -= len(positions)
        if positions[-1] - self._start == len(positions) - 1:  # a prefix: the usual case
            self._start = positions[-1] + 1
            if self._fresh < self._start:
                self._fresh = self._start
            self._compact()
            return
        gone = set(positions)
        keep = [p for p in self.positions() if p not in gone]
        fresh = self._fresh
        self._rebuild(keep, sum(1 for p in keep if p < fresh))

    def clear(self) -> None:
        self._reset()

    def _drop(self, position: int) -> None:
        offset = position * _STRIDE + 30
        self.bytes -= _SIZE.unpack_from(self._meta, offset)[0]
        _SIZE.pack_into(self._meta, offset, 0)
        self._payload[position] = None

    def _compact(self) -> None:
        # Slide the arrays when the removed prefix is both large and most of them.
        if self._start > 256 and self._start * 2 > len(self._payload):
            self._rebuild(list(self.positions()), max(0, self._fresh - self._start))

    def _rebuild(self, keep: list[int], fresh: int) -> None:
        meta = self._meta
        self._meta = bytearray().join(meta[p * _STRIDE : (p + 1) * _STRIDE] for p in keep)
        self._payload = [self._payload[p] for p in keep]
        self._fresh = fresh
        self._start = 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.positions())


def _text_size(frame: str) -> int:
    # isascii() is O(1) in CPython, and media frames (base64 in JSON) are always ASCII.
    return len(frame) if frame.isascii() else len(frame.encode("utf-8"))
