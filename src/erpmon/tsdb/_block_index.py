"""A persisted block's label index, built vectorised from series.parquet's list columns.

Postings come from one stable sort of (name code, value code) keys over all label pairs:
each distinct pair owns a slice of the sorted series ids. Value lists per label name are
materialised as Python strings only when a matcher asks for that name.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from erpmon.model import Labels
from erpmon.tsdb._chunks import expand_ranges
from erpmon.tsdb._postings import EMPTY_IDS, IdArray, union_sorted


class BlockIndex:
    def __init__(self, names: pa.ListArray, values: pa.ListArray) -> None:
        self._n_series = len(names)
        self._offsets = np.asarray(names.offsets, dtype=np.int64)
        base = self._offsets[0]
        self._offsets = self._offsets - base
        self._flat_names: pa.Array = names.flatten()
        self._flat_values: pa.Array = values.flatten()
        counts = np.diff(self._offsets)
        sid = np.repeat(np.arange(self._n_series, dtype=np.int64), counts)
        name_enc = pc.dictionary_encode(self._flat_names)
        value_enc = pc.dictionary_encode(self._flat_values)
        self._name_dict: list[str] = name_enc.dictionary.to_pylist()
        self._value_dict: pa.Array = value_enc.dictionary
        name_codes = np.asarray(name_enc.indices, dtype=np.int64)
        value_codes = np.asarray(value_enc.indices, dtype=np.int64)
        n_values = max(len(self._value_dict), 1)
        key = name_codes * n_values + value_codes
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        self._ids: IdArray = sid[order]
        uniq, first = np.unique(sorted_key, return_index=True)
        self._pair_start = first.astype(np.int64)
        self._pair_end = np.append(first[1:], len(sorted_key)).astype(np.int64)
        self._pair_name = uniq // n_values
        self._pair_value = uniq % n_values
        self._name_code = {n: i for i, n in enumerate(self._name_dict)}
        self._values_cache: dict[str, dict[str, int]] = {}
        # Label sets built so far, by series id: a block never changes, and dashboards and rules
        # ask for the same series again and again. Filled on demand only.
        self._labels_cache: list[Labels | None] = [None] * self._n_series

    def all_ids(self) -> IdArray:
        return np.arange(self._n_series, dtype=np.int64)

    def label_names(self) -> list[str]:
        return sorted(self._name_dict)

    def _value_positions(self, name: str) -> dict[str, int]:
        cached = self._values_cache.get(name)
        if cached is None:
            code = self._name_code.get(name)
            if code is None:
                cached = {}
            else:
                lo = int(np.searchsorted(self._pair_name, code, "left"))
                hi = int(np.searchsorted(self._pair_name, code, "right"))
                values = self._value_dict.take(pa.array(self._pair_value[lo:hi])).to_pylist()
                cached = {v: lo + i for i, v in enumerate(values)}
            self._values_cache[name] = cached
        return cached

    def values_of(self, name: str) -> Sequence[str]:
        return list(self._value_positions(name))

    def ids_for_values(self, name: str, values: Sequence[str]) -> IdArray:
        pos = self._value_positions(name)
        slots = [pos[v] for v in values if v in pos]
        if not slots:
            return EMPTY_IDS
        return union_sorted(self._ids[self._pair_start[p] : self._pair_end[p]] for p in slots)

    def labels(self, ids: IdArray) -> list[Labels]:
        """Label sets of the given series, one Python object per series (cached per series)."""
        if not len(ids):
            return []
        cache = self._labels_cache
        wanted = ids.tolist()
        out = [cache[i] for i in wanted]
        missing = [k for k, lb in enumerate(out) if lb is None]
        if missing:
            built = self._build_labels(ids[np.asarray(missing, dtype=np.int64)])
            for k, lb in zip(missing, built, strict=True):
                out[k] = cache[wanted[k]] = lb
        return out  # every slot was filled above

    def _build_labels(self, ids: IdArray) -> list[Labels]:
        lo, hi = self._offsets[ids], self._offsets[ids + 1]
        rows = pa.array(expand_ranges(lo, hi))
        names = self._flat_names.take(rows).to_pylist()
        values = self._flat_values.take(rows).to_pylist()
        pairs = list(zip(names, values, strict=True))
        bounds = np.concatenate([[0], np.cumsum(hi - lo)]).tolist()
        return [Labels.from_sorted(tuple(pairs[a:b])) for a, b in itertools.pairwise(bounds)]

    def cardinalities(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in self._name_dict:
            pos = self._value_positions(name)
            out[name] = {v: int(self._pair_end[p] - self._pair_start[p]) for v, p in pos.items()}
        return out
