"""Two small in-process maps: least-recently-used, and expiring after a time to live.

One event loop per process, so no locking. Both are bounded: an LRU map evicts its oldest entry,
a TTL map is emptied when full (every entry would be re-read within ``ttl`` anyway).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class TtlCache(Generic[K, V]):
    """Entries valid for ``ttl`` seconds of ``timer`` (monotonic), at most ``size`` of them."""

    def __init__(
        self, ttl: float, size: int = 10_000, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._timer = timer
        self._entries: dict[K, tuple[V, float]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= self._timer():
            return None
        return entry[0]

    def stale(self, key: K) -> V | None:
        """The last value stored for ``key``, expired or not (until the map is emptied): what
        to serve when the source cannot be read at all."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self._size and key not in self._entries:
            self._entries.clear()
        self._entries[key] = (value, self._timer() + self._ttl)

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value, or ``load()``'s, cached when found (a miss is asked again next
        time: a number or key added a moment ago must not stay unknown for ``ttl``)."""
        found = self.get(key)
        if found is None:
            found = await load()
            if found is not None:
                self.put(key, found)
        return found
