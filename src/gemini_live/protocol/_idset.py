"""A bounded, insertion-ordered set of ids (tool calls): the oldest are forgotten first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator

__all__ = ["BoundedIds"]


class BoundedIds:
    """An insertion-ordered set of ids that forgets the oldest beyond ``limit``."""

    __slots__ = ("_ids", "_limit")

    def __init__(self, limit: int) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def add_all(self, ids: Iterable[str]) -> None:
        table = self._ids
        for call_id in ids:
            table[call_id] = None
            table.move_to_end(call_id)
        while len(table) > self._limit:
            table.popitem(last=False)

    def discard_all(self, ids: Iterable[str]) -> None:
        for call_id in ids:
            self._ids.pop(call_id, None)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def clear(self) -> None:
        self._ids.clear()
