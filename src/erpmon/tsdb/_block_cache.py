"""A byte-bounded LRU of decoded block samples, shared by a store's blocks.

Blocks never change, and rule groups read the same selections of them at every evaluation (three
histogram_quantile rules over one `_bucket` metric, every 15 s for two hours), so decoding the
Parquet row groups again each time is wasted work. Entries are keyed by block and by the exact
series ids a selection decoded; the arrays are read-only so a hit can be handed out as is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from erpmon.tsdb._chunks import F64, I64

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


class DecodedCache:
    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes], tuple[I64, F64]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, block: str, ids: I64) -> tuple[I64, F64] | None:
        key = (block, ids.tobytes())
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, block: str, ids: I64, ts: I64, vs: F64) -> None:
        size = ts.nbytes + vs.nbytes
        if size > self.max_bytes // 4:
            return  # one huge read would flush everything useful
        ts.flags.writeable = False
        vs.flags.writeable = False
        key = (block, ids.tobytes())
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (ts, vs)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (old_ts, old_vs) = self._entries.popitem(last=False)
                self._bytes -= old_ts.nbytes + old_vs.nbytes

    def drop_block(self, block: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == block]:
                ts, vs = self._entries.pop(key)
                self._bytes -= ts.nbytes + vs.nbytes

    @property
    def size_bytes(self) -> int:
        return self._bytes
