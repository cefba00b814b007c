"""What must be replayed after a reconnect so that client input is neither lost nor duplicated.

The client records every message it writes after ``setup`` (:meth:`ResumptionTracker.record_sent`)
and feeds every ``sessionResumptionUpdate`` to :meth:`ResumptionTracker.on_update`. A record
stays buffered until an update with a usable handle confirms that the handle's state includes it.
After a reconnect with :attr:`~ResumptionTracker.latest_handle`, :meth:`plan_replay` lists the
unconfirmed records in their original order; the client writes them and calls
:meth:`record_replayed` for each, which gives the record a new per-connection index but keeps its
session-wide ``seq`` (so a duplicate is always recognisable). ``setup`` itself is never recorded:
it is rebuilt for every connection, with the handle.

Index convention (§5.4 leaves it undocumented; our client and emulator both use this one, and it
is a constructor option): per connection, ``setup`` has index 0 and the first message after it
index 1 (``index_origin="setup_is_0"``, the default), or setup is not counted and the first
message after it is index 0 (``"first_is_0"``). ``lastConsumedClientMessageIndex = N`` means the
messages of *that connection* with index ``<= N`` are in the handle's state.

Confirmation:

* Transparent mode (Vertex, the update carries ``last_consumed_index``): exact. Exactly the
  records of the current connection with index ``<= N`` are confirmed.
* Non-transparent mode: every record written on the current connection before the update was
  processed is confirmed. This is a best effort: a message still in flight when the server cut
  the handle is confirmed although the handle does not contain it, and would be lost if the
  session is resumed from that handle. Only transparent mode closes that gap.

Stale real-time media (``audio``/``video`` older than ``max_audio_age``) is dropped at replay
time rather than burst into the new connection (§16.2); nothing else is ever dropped for age, so
activity start/end pairs stay consistent. With ``max_media_age`` (the session passes its
``max_audio_age``) the bytes of media are released as soon as they are that old, since they could
only ever be dropped; what is left of them (a few numbers) still decides, exactly as before,
whether they end up confirmed or dropped as stale. The buffer is bounded (§16.1): over
``max_records`` or ``max_bytes`` (the bytes held: raw media, other frames as UTF-8) the oldest
media goes first (``evicted_media``), then the oldest other records (``evicted_other``).

An evicted record is lost only if no later update confirms it: the tracker keeps the kind and
index of each one evicted while its connection is current (a few numbers, dropped by the next
update that covers them), and :meth:`~ResumptionTracker.take_lost_evictions` says, per kind, how
many were never confirmed, so the client can announce them (``InputDropped``) before a replay.
:meth:`~ResumptionTracker.take_first_eviction` is true once per connection, at its first
eviction, so the client can warn that the service has not confirmed for a long time.

Media are held compactly (``_media_buffer``: raw bytes once, numbers in arrays, no object per
chunk), so the cost of recording a chunk does not grow with the number buffered; their frames are
rebuilt, identical to the ones sent, only for :meth:`~ResumptionTracker.plan_replay` and
:attr:`~ResumptionTracker.unconfirmed`.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from gemini_live.protocol._media_buffer import MediaBuffer

__all__ = [
    "EVICTION_REASON",
    "EVICTION_WARNING",
    "MEDIA_KINDS",
    "RECORD_KINDS",
    "IndexOrigin",
    "ReplayPlan",
    "ResumptionStats",
    "ResumptionTracker",
    "SentRecord",
    "first_message_index",
    "is_stale_media",
]

IndexOrigin = Literal["setup_is_0", "first_is_0"]

# What the application is told about messages evicted over the buffer's bounds.
EVICTION_REASON = "evicted from the replay buffer (over its bound) before the service confirmed it"
EVICTION_WARNING = (
    "the replay buffer is full: the service has not confirmed recent messages, so the oldest "
    "unconfirmed ones are being evicted and cannot be replayed after a reconnect"
)

RECORD_KINDS = frozenset(
    {
        "audio",
        "video",
        "text",
        "client_content",
        "tool_response",
        "context_update",
        "activity_start",
        "activity_end",
        "audio_stream_end",
    }
)
MEDIA_KINDS = frozenset({"audio", "video"})


def first_message_index(origin: IndexOrigin) -> int:
    """The index of the first message after ``setup`` on a connection, under ``origin``."""
    if origin == "setup_is_0":
        return 1
    if origin == "first_is_0":
        return 0
    raise ValueError(f"index_origin must be 'setup_is_0' or 'first_is_0', got {origin!r}")


def is_stale_media(kind: str, written_at: float, now: float, max_age: float | None) -> bool:
    """Whether a real-time media message is too old to be worth sending (``None``: never)."""
    return max_age is not None and kind in MEDIA_KINDS and now - written_at > max_age


class SentRecord(NamedTuple):
    """One client message written after ``setup`` (immutable).

    ``seq`` is session-wide and never changes (a replay keeps it); ``connection`` and ``index``
    say where the message was last written. A named tuple rather than a frozen dataclass because
    one is created for every message sent (the audio hot path), and it costs a third as much.
    """

    seq: int
    kind: str
    frame: str
    written_at: float
    connection: int
    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose: the wire index


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """The records to write on a new connection, in order, and how much stale media was dropped."""

    records: tuple[SentRecord, ...]
    dropped_stale_audio: int


@dataclass(frozen=True, slots=True)
class ResumptionStats:
    """Counters since the tracker was created.

    ``dropped_stale_audio`` includes video; ``non_resumable_updates`` counts updates that gave
    no usable handle (``resumable: false`` or an empty handle); ``forgotten`` counts records
    discarded by :meth:`ResumptionTracker.forget_all`.
    """

    recorded: int
    confirmed: int
    replayed: int
    dropped_stale_audio: int
    evicted_media: int
    evicted_other: int
    forgotten: int
    updates: int
    non_resumable_updates: int
    evicted_lost: int = 0
    """Evicted records that no update confirmed (reported by ``take_lost_evictions``)."""


def _frame_size(frame: str) -> int:
    # isascii() is O(1) in CPython, and media frames (base64 in JSON) are always ASCII.
    return len(frame) if frame.isascii() else len(frame.encode("utf-8"))


_new_tuple = tuple.__new__


def _not_buffered(record: SentRecord) -> ValueError:
    return ValueError(
        f"record seq={record.seq} is not buffered (already confirmed, dropped or evicted)"
    )


def _written_twice(record: SentRecord, connection: int) -> ValueError:
    return ValueError(f"record seq={record.seq} was already written on connection {connection}")


def _check_bound(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


_Predicate = Callable[[SentRecord], bool]


class ResumptionTracker:
    """Buffers sent messages until a resumption handle covers them; plans replays.

    Not thread-safe; meant to be driven by the client's single writer and single reader.
    """

    # One per session with about 30 attributes: slots save the instance dict (about 1.5 KB).
    # fmt: off
    __slots__ = (
        "_confirmed", "_connection", "_dropped_stale", "_evicted_lost", "_evicted_lost_total",
        "_evicted_media", "_evicted_other", "_evicted_pending", "_evicted_pending_count",
        "_eviction_warned", "_first_index", "_forgotten", "_in_order",
        "_index_origin", "_last_written_seq", "_latest_handle", "_max_bytes", "_max_media_age",
        "_max_records", "_media", "_newest_write", "_next_index", "_next_seq", "_non_resumable",
        "_orphan_ends", "_other", "_other_bytes", "_recorded", "_replayed", "_updates",
    )
    # fmt: on

    def __init__(
        self,
        *,
        max_records: int = 20_000,
        max_bytes: int = 32 * 1024 * 1024,
        index_origin: IndexOrigin = "setup_is_0",
        max_media_age: float | None = None,
    ) -> None:
        self._max_records = _check_bound("max_records", max_records)
        self._max_bytes = _check_bound("max_bytes", max_bytes)
        self._first_index = first_message_index(index_origin)
        self._index_origin: IndexOrigin = index_origin
        if max_media_age is not None and not max_media_age >= 0:  # also rejects NaN
            raise ValueError(f"max_media_age must be >= 0 seconds or None, got {max_media_age!r}")
        self._max_media_age = max_media_age
        self._newest_write = -math.inf
        # Two queues, each in seq order, so media can be evicted before anything else in O(1).
        self._media = MediaBuffer()
        self._other: OrderedDict[int, SentRecord] = OrderedDict()
        self._other_bytes = 0
        # activity_end records still to come whose activity_start was evicted.
        self._orphan_ends = 0
        self._next_seq = 1
        # Whether the current connection's media were written in seq order (always, unless a
        # record is replayed after newer ones were sent): confirmation can then stop early.
        self._in_order = True
        self._last_written_seq = 0
        self._connection = 0
        self._next_index = self._first_index
        self._latest_handle: str | None = None
        self._recorded = 0
        self._confirmed = 0
        self._replayed = 0
        self._dropped_stale = 0
        self._evicted_media = 0
        self._evicted_other = 0
        # Evicted on the current connection, not confirmed yet: their indexes per kind, as runs
        # of consecutive indexes (first, last, first, last, ...), so that a service silent for
        # hours costs a few numbers per interruption of a run (another kind written between
        # two), not 8 bytes per evicted message. Released media do not keep their kind: they
        # count as "audio" (which covers video, as for stale ones). Each queue evicts in seq
        # order, so the runs grow unless a record was replayed after newer ones (then a run
        # starts below the one before it; each run is clipped on its own, see
        # _confirm_evictions).
        self._evicted_pending: dict[str, array[int]] = {}
        self._evicted_pending_count = 0
        # Evicted and never confirmed, per kind, not yet reported by take_lost_evictions().
        self._evicted_lost: dict[str, int] = {}
        self._evicted_lost_total = 0
        self._eviction_warned = 0  # the connection whose first eviction was reported
        self._forgotten = 0
        self._updates = 0
        self._non_resumable = 0

    # --- state ------------------------------------------------------------------------------

    @property
    def index_origin(self) -> IndexOrigin:
        return self._index_origin

    @property
    def connection(self) -> int:
        """The current connection id (0 before the first :meth:`new_connection`)."""
        return self._connection

    @property
    def next_index(self) -> int:
        """The index the next message written on the current connection will get."""
        return self._next_index

    @property
    def latest_handle(self) -> str | None:
        """The newest handle that came with ``resumable: true`` (§5.4), or ``None``."""
        return self._latest_handle

    @property
    def unconfirmed(self) -> tuple[SentRecord, ...]:
        """Every record that could still be replayed, in seq order (media frames rebuilt: O(n),
        for inspection or to send them again elsewhere).

        Media whose bytes were released as stale (see ``max_media_age``) are not listed: they
        stay buffered only to be counted, as confirmed or as dropped, and are never replayed."""
        return self._ordered()

    @property
    def unconfirmed_count(self) -> int:
        """``len(unconfirmed)``, cheaply."""
        return self._media.count - self._media.released_count + len(self._other)

    @property
    def unconfirmed_bytes(self) -> int:
        """The bytes held: raw bytes of media, UTF-8 size of other frames."""
        return self._media.bytes + self._other_bytes

    def statistics(self) -> ResumptionStats:
        return ResumptionStats(
            recorded=self._recorded,
            confirmed=self._confirmed,
            replayed=self._replayed,
            dropped_stale_audio=self._dropped_stale,
            evicted_media=self._evicted_media,
            evicted_other=self._evicted_other,
            forgotten=self._forgotten,
            updates=self._updates,
            non_resumable_updates=self._non_resumable,
            evicted_lost=self._evicted_lost_total,
        )

    def take_first_eviction(self) -> bool:
        """Whether a record was evicted on the current connection and this was not reported
        yet (true at most once per connection)."""
        if self._eviction_warned == self._connection or not self._evicted_pending_count:
            return False
        self._eviction_warned = self._connection
        return True

    def take_lost_evictions(self, *, include_current: bool = False) -> tuple[tuple[str, int], ...]:
        """Per kind (in order of first loss), how many evicted records no update confirmed
        since the last call; resets. Records evicted on the current connection are included only
        with ``include_current`` (a later update may still confirm them; pass it when the
        session is over)."""
        if include_current:
            self._settle_evictions()
        lost = tuple(self._evicted_lost.items())
        self._evicted_lost = {}
        return lost

    # --- writing ----------------------------------------------------------------------------

    def new_connection(self) -> int:
        """Start numbering a new connection (call when its ``setup`` is written); returns its id."""
        # The previous connection can confirm nothing more: what it evicted is lost.
        self._settle_evictions()
        self._connection += 1
        self._next_index = self._first_index
        self._in_order = True
        self._last_written_seq = 0
        return self._connection

    def record_sent(
        self, kind: str, frame: str, written_at: float, data: bytes | None = None
    ) -> SentRecord:
        """Buffer a message just written on the current connection; it keeps it until confirmed.

        ``data`` (media only, optional): the bytes the frame's base64 encodes, which saves
        decoding them again to keep them compactly (see ``MediaBuffer.append``)."""
        if kind not in RECORD_KINDS:
            raise ValueError(f"kind must be one of {sorted(RECORD_KINDS)}, got {kind!r}")
        if not isinstance(frame, str):
            raise TypeError(f"frame must be the encoded JSON str, got {type(frame).__name__}")
        connection = self._connection
        if connection == 0:
            self._require_connection()
        seq = self._next_seq
        index = self._next_index
        # tuple.__new__ directly: the named tuple's generated __new__ costs as much again.
        record: SentRecord = _new_tuple(
            SentRecord, (seq, kind, frame, written_at, connection, index)
        )
        self._next_seq = seq + 1
        self._next_index = index + 1
        self._recorded += 1
        if kind == "activity_end" and self._orphan_ends:
            # Its start was evicted: replaying this end alone would break the pair.
            self._orphan_ends -= 1
            self._evicted_other += 1
            self._evicted(connection, index, kind)
            return record
        if kind in MEDIA_KINDS:
            media = self._media
            media.append(seq, kind, frame, written_at, connection, index, data)
            self._last_written_seq = seq
            if written_at > self._newest_write:
                self._newest_write = written_at
            if self._max_media_age is not None:
                media.release_stale(self._newest_write, self._max_media_age)
        else:
            self._other[seq] = record
            self._other_bytes += _frame_size(frame)
        if (
            self._media.count + len(self._other) > self._max_records
            or self._media.bytes + self._other_bytes > self._max_bytes
        ):
            self._enforce_bounds()
        return record

    def record_replayed(self, record: SentRecord) -> SentRecord:
        """Note that a buffered record was written again on the current connection.

        Returns the updated record: same ``seq``, ``kind``, ``frame`` and ``written_at`` (age is
        measured from the first write), new ``connection`` and ``index``.
        """
        self._require_connection()
        if record.kind in MEDIA_KINDS:
            position = self._media.find(record.seq)
            if position is None:
                raise _not_buffered(record)
            if self._media.connection(position) == self._connection:
                raise _written_twice(record, self._connection)
            index = self._take_index()
            self._media.set_written(position, self._connection, index)
            if record.seq < self._last_written_seq:
                self._in_order = False
            self._last_written_seq = record.seq
            self._replayed += 1
            return record._replace(connection=self._connection, index=index)
        current = self._other.get(record.seq)
        if current is None:
            raise _not_buffered(record)
        if current.connection == self._connection:
            raise _written_twice(record, self._connection)
        updated = current._replace(connection=self._connection, index=self._take_index())
        self._other[record.seq] = updated  # keeps its place: the queue stays in seq order
        self._replayed += 1
        return updated

    # --- reading ----------------------------------------------------------------------------

    def on_update(
        self, handle: str | None, resumable: bool, last_consumed_index: int | None
    ) -> int:
        """Apply a ``sessionResumptionUpdate``; returns how many records it confirmed.

        Updates without a usable handle (``resumable: false``, or an empty handle) change
        nothing: confirming records against a handle we cannot use would lose them.
        """
        self._updates += 1
        if not resumable or not handle:
            self._non_resumable += 1
            return 0
        if last_consumed_index is not None and (
            isinstance(last_consumed_index, bool) or not isinstance(last_consumed_index, int)
        ):
            raise TypeError(
                f"last_consumed_index must be an int or None, got {last_consumed_index!r}"
            )
        self._latest_handle = handle
        current = self._connection
        limit = math.inf if last_consumed_index is None else last_consumed_index
        if self._evicted_pending_count:
            self._confirm_evictions(limit)
        count = self._media.confirm(current, limit, self._in_order)
        for seq in [
            s for s, r in self._other.items() if r.connection == current and r.index <= limit
        ]:
            self._remove_other(seq)
            count += 1
        self._confirmed += count
        return count

    def plan_replay(self, now: float, max_audio_age: float | None) -> ReplayPlan:
        """List what to write after resuming, dropping stale audio/video from the buffer.

        Call it on a new connection right after ``setup``. Records already written on the current
        connection (replayed or new) are not listed again, so calling it twice cannot duplicate.
        """
        if max_audio_age is not None and (math.isnan(max_audio_age) or max_audio_age < 0):
            raise ValueError(f"max_audio_age must be >= 0 seconds or None, got {max_audio_age!r}")
        current = self._connection
        # A released record (see max_media_age) was stale already; it can only be dropped.
        stale = self._media.drop_stale(current, now, max_audio_age)
        self._dropped_stale += stale
        records = tuple(r for r in self._ordered() if r.connection != current)
        return ReplayPlan(records=records, dropped_stale_audio=stale)

    def forget_all(self) -> int:
        """Discard every buffered record and the handle (a fresh session); returns the count."""
        count = len(self._media) + len(self._other)
        self._media.clear()
        self._other.clear()
        self._other_bytes = 0
        self._orphan_ends = 0
        self._latest_handle = None
        self._forgotten += count
        # Announced as part of the forgotten records' loss (a fresh session).
        self._evicted_pending.clear()
        self._evicted_pending_count = 0
        self._evicted_lost = {}
        return count

    def discard(self, where: _Predicate) -> int:
        """Drop every buffered record for which ``where`` is true (e.g. tool responses to calls
        of a session that was replaced by a fresh one); returns how many were dropped.

        Only records that could be replayed are offered to ``where`` (not media whose bytes were
        released as stale: they can only end up confirmed or dropped)."""
        media = self._media
        doomed = [p for p in media if where(self._media_record(p))]
        media.remove(doomed)
        count = len(doomed)
        for seq in [seq for seq, r in self._other.items() if where(r)]:
            self._remove_other(seq)
            count += 1
        self._forgotten += count
        return count

    # --- internals --------------------------------------------------------------------------

    def _require_connection(self) -> None:
        if self._connection == 0:
            raise RuntimeError("call new_connection() before recording messages")

    def _take_index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index

    def _media_record(self, position: int) -> SentRecord:
        media = self._media
        seq, connection, index, written_at = media.row(position)[:4]
        return _new_tuple(
            SentRecord,
            (seq, media.kind(position), media.frame(position), written_at, connection, index),
        )

    def _media_records(self) -> Iterator[SentRecord]:
        for position in self._media:
            yield self._media_record(position)

    def _ordered(self) -> tuple[SentRecord, ...]:
        return tuple(heapq.merge(self._media_records(), self._other.values(), key=lambda r: r.seq))

    def _evicted(self, connection: int, index: int, kind: str) -> None:
        if connection == self._connection:
            runs = self._evicted_pending.get(kind)
            if runs is None:
                self._evicted_pending[kind] = array("q", (index, index))
            elif runs[-1] + 1 == index:
                runs[-1] = index
            else:
                runs.append(index)
                runs.append(index)
            self._evicted_pending_count += 1
        else:  # written last on a connection that is gone: nothing can confirm it now
            self._evicted_lost[kind] = self._evicted_lost.get(kind, 0) + 1
            self._evicted_lost_total += 1

    def _settle_evictions(self) -> None:
        lost = self._evicted_lost
        for kind, runs in self._evicted_pending.items():
            lost[kind] = lost.get(kind, 0) + _run_total(runs)
        self._evicted_lost_total += self._evicted_pending_count
        self._evicted_pending.clear()
        self._evicted_pending_count = 0

    def _confirm_evictions(self, limit: float) -> None:
        """The current connection's records with index <= ``limit`` are in the handle's state:
        those of them that were evicted were not lost after all."""
        pending = self._evicted_pending
        for kind, runs in list(pending.items()):
            # Each run on its own, in any order (a replay can start one below the one before):
            # those at or below the limit go, one that straddles it keeps its part above.
            kept = array("q")
            for position in range(0, len(runs), 2):
                last = runs[position + 1]
                if last > limit:  # never true for an infinite limit (no int() of it below)
                    kept.append(max(runs[position], int(limit) + 1))
                    kept.append(last)
            if kept:
                pending[kind] = kept
            else:
                del pending[kind]
        self._evicted_pending_count = sum(_run_total(runs) for runs in pending.values())

    def _remove_other(self, seq: int) -> SentRecord:
        record = self._other.pop(seq)
        self._other_bytes -= _frame_size(record.frame)
        return record

    def _enforce_bounds(self) -> None:
        while self._media or self._other:
            if (
                len(self._media) + len(self._other) <= self._max_records
                and self._media.bytes + self._other_bytes <= self._max_bytes
            ):
                return
            if self._media:
                self._evicted(*self._media.pop_oldest())
                self._evicted_media += 1
                continue
            evicted = self._remove_other(next(iter(self._other)))
            self._evicted_other += 1
            self._evicted(evicted.connection, evicted.index, evicted.kind)
            if evicted.kind == "activity_start":
                # Its end must go too: an activityEnd without its start would be replayed alone.
                end = next((s for s, r in self._other.items() if r.kind == "activity_end"), None)
                if end is None:
                    self._orphan_ends += 1
                else:
                    gone = self._remove_other(end)
                    self._evicted_other += 1
                    self._evicted(gone.connection, gone.index, gone.kind)

    def __repr__(self) -> str:
        return (
            f"ResumptionTracker(connection={self._connection}, "
            f"unconfirmed={self.unconfirmed_count}, bytes={self.unconfirmed_bytes}, "
            f"has_handle={self._latest_handle is not None})"
        )


def _run_total(runs: array[int]) -> int:
    """How many indexes the runs ``first, last, first, last, ...`` hold."""
    return sum(runs[1::2]) - sum(runs[::2]) + len(runs) // 2
