"""Compact storage of unconfirmed real-time media (audio/video) for the resumption tracker.

A session streams 50 audio chunks a second; until the service confirms them each must stay
replayable. Keeping each as its JSON frame in a record object (a base64 string, a tuple, a float,
a dict entry: about 1.3 KB and four objects per 20 ms chunk) made the client's memory and its
garbage collector's work grow with the buffer. Here a chunk costs its raw bytes once plus 38 bytes
of numbers: no object per chunk. The raw bytes of the live chunks sit one after the other in one
ring per buffer (anonymous ``mmap`` memory, written with one slice assignment; a chunk that does
not fit before the end starts again at the front). Keeping each chunk's own ``bytes`` object
instead cost a 33-byte header, malloc's rounding and a list pointer per 640-byte chunk, and
scattered the long-lived chunks among the short-lived frames in the malloc heap: with 100 sessions
``benchmarks/bench_sessions.py`` measured a peak RSS of 40.0-40.1 MiB that way, 38.7-38.9 with
the ring. The ring grows by a sixteenth (at least 4 KiB, by ``mremap`` where there is one: no
copy) when a chunk does not fit, repacks the live chunks when it is wrapped and full, and shrinks
once it is mostly empty.
The frame is rebuilt only when it is replayed or inspected, byte for byte the one that was sent (a
frame that could not be rebuilt exactly is kept as it is, as text, by seq).

A stale chunk (older than the session's ``max_audio_age``) is *released* (``release_stale``): it
would be dropped at replay anyway, so its bytes go, but whether it gets confirmed first still has
to be known to count it. Released chunks lead the buffer (they are its oldest) and are kept as
*runs*: one row of four numbers for consecutive chunks (seq and index both one apart, same
connection), which is every chunk of an uninterrupted stream. With the service
confirming every few seconds and ``max_audio_age`` at 2 s, most of a session's buffered records
are released ones: as rows they cost 34 bytes and a pointer each (16 KB per 10 s of 20 ms
chunks), as runs a few dozen bytes in all.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
import mmap
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
# Slide the live rows to the front once this many removed ones lead them and they are at least a
# quarter of the live ones (so a slide copies at most four rows per removed one).
_COMPACT_AFTER = 8

# One live record's numbers, packed in one row of a bytearray (appending a record is one C call):
# seq, connection, index, written_at, head id, kind, bytes held, offset of its bytes in the ring.
_ROW = struct.Struct("<qiqdbbii")
_STRIDE = _ROW.size
_pack = _ROW.pack
_unpack_row = _ROW.unpack_from
_CONNECTION_INDEX = struct.Struct("<iq")  # the two fields a replay rewrites, at offset 8
_SIZE = struct.Struct("<i")  # at offset 30
_SEQ = struct.Struct("<q")  # at offset 0
_WRITTEN_AT = struct.Struct("<d").unpack_from  # at offset 20
_OFFSET = struct.Struct("<i").unpack_from  # at offset 34
_OFFSET_PACK = struct.Struct("<i").pack_into
_MIN_GROWTH = 4096
_PAGE = mmap.PAGESIZE
_PRIVATE: int | None = getattr(mmap, "MAP_PRIVATE", None)


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

    Released records come first, as runs; the live ones (bytes held, replayable) follow, addressed
    by position (``positions()``), valid until the next removal.
    """

    # One per session: slots save the instance dict.
    # fmt: off
    __slots__ = (
        "_capacity", "_data", "_head_ids", "_heads", "_last_head", "_last_head_id", "_meta",
        "_regrow", "_rows", "_runs", "_start", "_tail", "_verbatim", "bytes", "count",
        "released_count",
    )
    # fmt: on

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._meta = bytearray()
        self._rows = 0  # rows in _meta
        self._start = 0  # live rows before this position are gone (compacted lazily)
        self._data: mmap.mmap | bytearray = bytearray()  # the ring of live payloads
        self._capacity = 0  # len(_data)
        self._tail = 0  # where the next payload goes (the end of the last one written)
        self._regrow = 0  # the size the ring had before it last shrank (see _shrink)
        self._verbatim: dict[int, str] = {}  # seq -> frame, for frames kept as sent
        # Released records, oldest first: [first seq, connection, first index, count]. (Their kind
        # is not kept: a released record is never listed, only counted.)
        self._runs: list[list[int]] = []
        self._heads: list[str] = []
        self._head_ids: dict[str, int] = {}
        self._last_head = "\x00"  # the head of the previous frame, tried first
        self._last_head_id = 0
        self.count = 0  # every record, released ones included
        self.released_count = 0
        self.bytes = 0

    def __len__(self) -> int:
        return self.count

    # --- writing ----------------------------------------------------------------------------

    def append(
        self,
        seq: int,
        kind: str,
        frame: str,
        written_at: float,
        connection: int,
        index: int,
        data: bytes | None = None,
    ) -> None:
        """Buffer one record (seq greater than any buffered).

        ``data``, when the caller has it: the bytes whose standard base64 the frame carries
        (what ``encode_audio``/``encode_video`` were given). The frame is then not decoded
        again, once its head, its tail and its length show it is that encoding (the cost of
        keeping a chunk drops from about 3 us to under 1, 50 times a second per session)."""
        # encode_audio/encode_video frames: a head naming the MIME type, base64, a fixed tail.
        # A session's frames share one head: try the previous one before parsing.
        head = self._last_head
        head_id = self._last_head_id
        if (
            data is not None
            and frame.startswith(head)
            and len(frame) == len(head) + (len(data) + 2) // 3 * 4 + 4  # 4: len(_TAIL)
            and frame.endswith(_TAIL)
        ):
            size = len(data)
            # _place's common case inline: room at the tail, before the end or before the head.
            offset = self._tail
            start = self._start
            meta = self._meta
            first = _OFFSET(meta, start * _STRIDE + 34)[0] if start < self._rows else -1
            if first < 0 or offset + size > (self._capacity if first < offset else first):
                offset = self._place(size)
            self._data[offset : offset + size] = data
            self._tail = offset + size
            meta += _pack(
                seq, connection, index, written_at, head_id, _KINDS.index(kind), size, offset
            )
            self._rows += 1
            self.count += 1
            self.bytes += size
            return
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
        if head_id == _VERBATIM:
            size = _text_size(frame)
            offset = -1
            self._verbatim[seq] = frame
        else:
            assert isinstance(payload, bytes)
            size = len(payload)
            offset = self._place(size)
            self._data[offset : offset + size] = payload
            self._tail = offset + size
        self._meta += _pack(
            seq, connection, index, written_at, head_id, _KINDS.index(kind), size, offset
        )
        self._rows += 1
        self.count += 1
        self.bytes += size

    def _place(self, size: int) -> int:
        """Where a payload of ``size`` bytes goes in the ring (grown if it would not fit)."""
        tail = self._tail
        if self._start < self._rows:
            head = self._head()
            if head < tail:  # the live bytes are head..tail: room after them, or at the front
                if tail + size <= self._capacity:
                    return tail
                if size <= head:
                    return 0
                return self._extend(tail, size)
            if tail + size <= head:  # wrapped: the live bytes are head..end and 0..tail
                return tail
            return self._repack(size)
        if size <= self._capacity:
            return 0
        return self._extend(0, size)

    def _extend(self, tail: int, size: int) -> int:
        """Make the ring longer so that ``size`` bytes fit at ``tail`` (the live bytes all lie
        before it and keep their offsets); returns ``tail``."""
        needed = tail + size
        capacity = self._grown_capacity(needed)
        data = self._data
        if isinstance(data, mmap.mmap):
            try:
                # mremap: the pages move, the bytes are not copied (a buffer growing while the
                # peer does not confirm would otherwise be copied again at every step).
                data.resize(capacity)
            except (OSError, SystemError):  # no mremap (e.g. macOS): copy
                grown = _new_ring(capacity)
                grown[:tail] = data[:tail]
                self._data = grown
        else:
            self._data = _new_ring(capacity)
        self._capacity = capacity
        return tail

    def _grown_capacity(self, needed: int) -> int:
        """A ring size for ``needed`` bytes: a sixteenth more (at least ``_MIN_GROWTH``), or the
        size before the last shrink if larger (used once), in whole pages."""
        capacity = max(needed + max(needed >> 4, _MIN_GROWTH), self._regrow)
        self._regrow = 0
        return -(-capacity // _PAGE) * _PAGE

    def _head(self) -> int:
        """The ring offset of the oldest live payload (verbatim records hold none: skipped)."""
        meta = self._meta
        for position in range(self._start, self._rows):
            offset: int = _OFFSET(meta, position * _STRIDE + 34)[0]
            if offset >= 0:
                return offset
        return self._tail  # none held: treat as empty from the tail (wrapped test then fails)

    def _repack(self, extra: int) -> int:
        """Copy the live payloads to the front of a ring sized for them and ``extra`` more bytes
        (plus a sixteenth, at least ``_MIN_GROWTH``); returns where ``extra`` goes."""
        meta = self._meta
        positions = [
            position
            for position in range(self._start, self._rows)
            if _OFFSET(meta, position * _STRIDE + 34)[0] >= 0
        ]
        held = sum(_SIZE.unpack_from(meta, p * _STRIDE + 30)[0] for p in positions)
        needed = held + extra
        capacity = self._grown_capacity(needed)
        old = memoryview(self._data)
        data = _new_ring(capacity)
        offset = 0
        for position in positions:
            row = position * _STRIDE
            size = _SIZE.unpack_from(meta, row + 30)[0]
            source = _OFFSET(meta, row + 34)[0]
            data[offset : offset + size] = old[source : source + size]
            _OFFSET_PACK(meta, row + 34, offset)
            offset += size
        old.release()
        self._data = data
        self._capacity = capacity
        self._tail = offset
        return offset

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

    @property
    def row_count(self) -> int:
        """Rows of numbers held: one per live record, one per run of released ones."""
        return self._rows - self._start + len(self._runs)

    def positions(self) -> range:
        """The positions of the live (not released) records, in seq order."""
        return range(self._start, self._rows)

    def find(self, seq: int) -> int | None:
        """The position of the live record with ``seq``, or ``None``."""
        low, high = self._start, self._rows
        meta = self._meta
        while low < high:  # binary search on the seq column
            middle = (low + high) // 2
            if _SEQ.unpack_from(meta, middle * _STRIDE)[0] < seq:
                low = middle + 1
            else:
                high = middle
        if low < self._rows and _SEQ.unpack_from(meta, low * _STRIDE)[0] == seq:
            return low
        return None

    def row(self, position: int) -> tuple[int, int, int, float, int, int, int, int]:
        """seq, connection, index, written_at, head id, kind code, bytes held, ring offset."""
        return _unpack_row(self._meta, position * _STRIDE)

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

    def frame(self, position: int) -> str:
        """The frame exactly as it was sent."""
        seq, _, _, _, head_id, _, size, offset = self.row(position)
        if head_id == _VERBATIM:
            return self._verbatim[seq]
        payload = bytes(self._data[offset : offset + size])
        return self._heads[head_id] + encode_standard(payload) + _TAIL

    # --- removing ---------------------------------------------------------------------------

    def confirm(self, connection: int, limit: float, in_order: bool) -> int:
        """Remove the records written on ``connection`` with index <= ``limit``; their count.

        ``in_order``: the live records of ``connection`` were written in seq order (their
        indexes grow with their positions), so the scan stops at the first one past ``limit``
        instead of reading the whole buffer on every update."""
        count = 0
        if self._runs:
            for run in self._runs:
                # Within a run indexes are consecutive, so the covered records are a prefix.
                if run[1] == connection and run[2] <= limit:
                    covered = run[3] if limit == math.inf else min(run[3], int(limit) - run[2] + 1)
                    run[0] += covered
                    run[2] += covered
                    run[3] -= covered
                    count += covered
            if count:
                self._runs = [run for run in self._runs if run[3]]
                self.released_count -= count
                self.count -= count
        meta = memoryview(self._meta)[self._start * _STRIDE :]
        covered_rows: list[int] = []
        unpack = _ROW.iter_unpack
        if not in_order:
            covered_rows = [
                position
                for position, row in enumerate(unpack(meta), self._start)
                if row[1] == connection and row[2] <= limit
            ]
        else:
            for position, row in enumerate(unpack(meta), self._start):
                if row[1] == connection:
                    if row[2] > limit:
                        break
                    covered_rows.append(position)
        meta.release()
        self.remove(covered_rows)
        return count + len(covered_rows)

    def drop_stale(self, connection: int, now: float, max_age: float | None) -> int:
        """Remove the records not written on ``connection`` that are released or older than
        ``max_age`` at ``now`` (``None``: only released ones); returns their count."""
        count = 0
        if self._runs:
            keep = [run for run in self._runs if run[1] == connection]
            count = self.released_count - sum(run[3] for run in keep)
            self._runs = keep
            self.released_count -= count
            self.count -= count
        stale = [
            position
            for position in self.positions()
            if (row := self.row(position))[1] != connection
            and max_age is not None
            and now - row[3] > max_age
        ]
        self.remove(stale)
        return count + len(stale)

    def pop_oldest(self) -> tuple[int, int, str]:
        """Remove the oldest record (released or not); returns its connection, index and kind
        (``"audio"`` for a released one: its kind is not kept)."""
        if self._runs:
            run = self._runs[0]
            connection, index = run[1], run[2]
            run[0] += 1
            run[2] += 1
            run[3] -= 1
            if not run[3]:
                del self._runs[0]
            self.released_count -= 1
            self.count -= 1
            return connection, index, "audio"
        position = self._start
        gone = self.connection(position), self.index(position), self.kind(position)
        self.remove([position])
        return gone

    def release_stale(self, now: float, max_age: float) -> None:
        """Release the payloads of the oldest live records written more than ``max_age`` before
        ``now`` (stops at the first younger one: records are in write order)."""
        position = self._start
        end = self._rows
        meta = self._meta
        # The usual call finds the oldest live record young enough: read its time alone.
        if position >= end or not now - _WRITTEN_AT(meta, position * _STRIDE + 20)[0] > max_age:
            return
        runs = self._runs
        last = runs[-1] if runs else None
        verbatim = self._verbatim
        first = position
        freed = 0
        while True:
            seq, connection, index, _, head_id, _, size, _ = _unpack_row(meta, position * _STRIDE)
            freed += size
            if head_id == _VERBATIM:
                del verbatim[seq]
            if (
                last is not None
                and last[0] + last[3] == seq
                and last[2] + last[3] == index
                and last[1] == connection
            ):
                last[3] += 1
            else:
                last = [seq, connection, index, 1]
                runs.append(last)
            position += 1
            if (
                position >= end
                or not now - _WRITTEN_AT(meta, position * _STRIDE + 20)[0] > max_age
            ):
                break
        self.bytes -= freed
        self._start = position
        self.released_count += position - first
        if position >= _COMPACT_AFTER:
            self._compact()

    def remove(self, positions: list[int]) -> None:
        """Remove the live records at ``positions`` (ascending)."""
        if not positions:
            return
        meta = self._meta
        for position in positions:
            seq, _, _, _, head_id, _, size, _ = _unpack_row(meta, position * _STRIDE)
            self.bytes -= size
            if head_id == _VERBATIM:
                del self._verbatim[seq]
        self.count -= len(positions)
        if positions[-1] - self._start == len(positions) - 1:  # a prefix: the usual case
            self._start = positions[-1] + 1
            self._compact()
            return
        gone = set(positions)
        self._rebuild([p for p in self.positions() if p not in gone])

    def clear(self) -> None:
        self._reset()

    def _compact(self) -> None:
        start = self._start
        if start >= _COMPACT_AFTER and start * 4 >= self._rows - start:
            del self._meta[: start * _STRIDE]
            self._rows -= start
            self._start = 0
            self._shrink()

    def _rebuild(self, keep: list[int]) -> None:
        meta = self._meta
        if keep and keep[-1] - keep[0] == len(keep) - 1:  # a contiguous tail: one slice
            self._meta = meta[keep[0] * _STRIDE : (keep[-1] + 1) * _STRIDE]
        else:
            self._meta = bytearray().join(meta[p * _STRIDE : (p + 1) * _STRIDE] for p in keep)
        self._rows = len(keep)
        self._start = 0
        self._shrink()

    def _shrink(self) -> None:
        """Give back a ring that is mostly empty (after a burst, or once all is confirmed)."""
        capacity = self._capacity
        if capacity > 2 * _MIN_GROWTH and self.bytes * 4 < capacity:
            self._regrow = 0
            if self._start == self._rows:
                self._data = bytearray()
                self._capacity = self._tail = 0
            else:
                self._repack(0)
            # A stream that goes on fills it again: the next growth goes straight back to this
            # size instead of through a dozen steps (once; a lasting smaller stream shrinks it
            # again).
            self._regrow = capacity

    def __iter__(self) -> Iterator[int]:
        return iter(self.positions())


def _new_ring(capacity: int) -> mmap.mmap:
    """Anonymous memory of its own (not the malloc heap: the long-lived ring would fragment it
    among the short-lived frames). Private: a shared anonymous map cannot grow with mremap (the
    new pages would fault)."""
    if _PRIVATE is None:  # Windows
        return mmap.mmap(-1, capacity)
    return mmap.mmap(-1, capacity, flags=_PRIVATE)


def _text_size(frame: str) -> int:
    # isascii() is O(1) in CPython, and media frames (base64 in JSON) are always ASCII.
    return len(frame) if frame.isascii() else len(frame.encode("utf-8"))
