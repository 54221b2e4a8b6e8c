"""A byte-bounded LRU of decoded block samples, shared by a store's blocks.

Blocks never change, and rule groups read the same selections of them at every evaluation (three
histogram_quantile rules over one `_bucket` metric, every 15 s for two hours), so decoding the
Parquet row groups again each time is wasted work. Entries are keyed by block and by the exact
series ids a selection decoded; the arrays are read-only so a hit can be handed out as is.

An entry keeps only the samples at or after the window start of the read that decoded it (its
`mint`): rule windows move forward, so a 5 min window over a 2 h block caches (and later scans)
a few samples per series instead of the whole block. A read that starts earlier than an entry
covers decodes again and replaces the entry with the wider one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from erpmon.tsdb._chunks import F64, I64

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    """Samples of a selection's series (ids sorted) from `mint` on: series k owns `counts[k]` rows."""

    mint: int  # every sample of the series at or after this time is here
    ts: I64
    vs: F64
    counts: I64

    @property
    def nbytes(self) -> int:
        return self.ts.nbytes + self.vs.nbytes + self.counts.nbytes


class DecodedCache:
    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes], Decoded] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, block: str, ids: I64, mint: int) -> Decoded | None:
        """The entry for these series if it holds every sample from `mint` on."""
        key = (block, ids.tobytes())
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.mint > mint:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, block: str, ids: I64, entry: Decoded) -> None:
        size = entry.nbytes
        if size > self.max_bytes // 4:
            return  # one huge read would flush everything useful
        for arr in (entry.ts, entry.vs, entry.counts):
            arr.flags.writeable = False
        key = (block, ids.tobytes())
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                if old.mint <= entry.mint:  # a wider entry arrived meanwhile: keep it
                    self._entries[key] = old
                    return
                self._bytes -= old.nbytes
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.nbytes

    def drop_block(self, block: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == block]:
                self._bytes -= self._entries.pop(key).nbytes

    @property
    def size_bytes(self) -> int:
        return self._bytes
