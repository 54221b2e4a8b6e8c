"""Postings: label name -> value -> sorted series ids, and matcher evaluation over them.

The same `select_ids` serves the head (mutable `MemPostings`) and persisted blocks
(`erpmon.tsdb._block_index`), through the narrow `LabelIndex` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from erpmon.model import Matcher, MatchType

IdArray = npt.NDArray[np.int64]
EMPTY_IDS: IdArray = np.zeros(0, dtype=np.int64)


class LabelIndex(Protocol):
    """What matcher evaluation needs from an index; ids are sorted, unique int64 arrays."""

    def all_ids(self) -> IdArray: ...

    def label_names(self) -> list[str]: ...

    def values_of(self, name: str) -> Sequence[str]:
        """Distinct non-empty values of `name` (any order)."""
        ...

    def ids_for_values(self, name: str, values: Sequence[str]) -> IdArray:
        """Sorted union of the postings of `name=v` for each v in `values`."""
        ...


def select_ids(index: LabelIndex, matchers: Sequence[Matcher]) -> IdArray:
    """Ids of the series matching every matcher, with Prometheus's empty-value rules.

    A matcher that matches "" also selects series lacking the label, so it is applied as
    "all series minus those whose value fails it"; others are a union of postings. Regexes
    run once per distinct value of their label, never once per series.
    """
    positive: list[IdArray] = []
    negative: list[IdArray] = []
    for m in matchers:
        if m.type is MatchType.EQUAL and m.value != "":
            positive.append(index.ids_for_values(m.name, (m.value,)))
        elif m.type is MatchType.NOT_EQUAL and m.value != "":
            negative.append(index.ids_for_values(m.name, (m.value,)))
        elif _matches_everything(m):
            continue
        elif m.matches(""):
            failing = [v for v in index.values_of(m.name) if not m.matches(v)]
            if failing:
                negative.append(index.ids_for_values(m.name, failing))
        else:
            passing = [v for v in index.values_of(m.name) if m.matches(v)]
            positive.append(index.ids_for_values(m.name, passing))
    if positive:
        positive.sort(key=len)
        result = positive[0]
        for ids in positive[1:]:
            if not len(result):
                break
            result = np.intersect1d(result, ids, assume_unique=True)
    else:
        result = index.all_ids()
    for ids in negative:
        if not len(result):
            break
        result = np.setdiff1d(result, ids, assume_unique=True)
    return result


def _matches_everything(m: Matcher) -> bool:
    # `=~".*"` constrains nothing (it matches "" too); skip the per-value loop.
    return m.type is MatchType.REGEX and m.value in (".*", "(.*)", "(?s:.*)")


def union_sorted(parts: Iterable[IdArray]) -> IdArray:
    """Union of sorted id arrays that are pairwise disjoint (postings of distinct values)."""
    arrays = [p for p in parts if len(p)]
    if not arrays:
        return EMPTY_IDS
    if len(arrays) == 1:
        return arrays[0]
    return np.sort(np.concatenate(arrays), kind="stable")


class _IdList:
    """A growable id array; views handed out stay valid because only new slots are written."""

    __slots__ = ("_arr", "_n", "_sorted")

    def __init__(self) -> None:
        self._arr: IdArray = np.empty(4, dtype=np.int64)
        self._n = 0
        self._sorted = True

    def add(self, ref: int) -> None:
        if self._n == len(self._arr):
            grown = np.empty(2 * len(self._arr), dtype=np.int64)
            grown[: self._n] = self._arr[: self._n]
            self._arr = grown
        if self._n and self._arr[self._n - 1] > ref:
            self._sorted = False
        self._arr[self._n] = ref
        self._n += 1

    def view(self) -> IdArray:
        if not self._sorted:
            # Refs are issued by ref() but posted at commit, so commits can interleave them.
            self._arr = np.sort(self._arr[: self._n])
            self._sorted = True
        return self._arr[: self._n]

    def remove(self, refs: IdArray) -> None:
        kept = np.setdiff1d(self.view(), refs, assume_unique=True)
        self._arr = np.concatenate([kept, np.empty(max(4, len(kept)), dtype=np.int64)])
        self._n = len(kept)

    def __len__(self) -> int:
        return self._n


class MemPostings:
    """The head's mutable postings; callers hold the head lock for every call."""

    def __init__(self) -> None:
        self._by_name: dict[str, dict[str, _IdList]] = {}
        self._all = _IdList()

    def add(self, ref: int, pairs: Iterable[tuple[str, str]]) -> None:
        self._all.add(ref)
        for name, value in pairs:
            values = self._by_name.get(name)
            if values is None:
                values = self._by_name[name] = {}
            ids = values.get(value)
            if ids is None:
                ids = values[value] = _IdList()
            ids.add(ref)

    def remove(self, refs: IdArray, pairs_of: Iterable[tuple[tuple[str, str], ...]]) -> None:
        """Drop `refs` (whose label pairs are `pairs_of`, same order) from every list."""
        touched: set[tuple[str, str]] = set()
        for pairs in pairs_of:
            touched.update(pairs)
        for name, value in touched:
            values = self._by_name[name]
            ids = values[value]
            ids.remove(refs)
            if not len(ids):
                del values[value]
                if not values:
                    del self._by_name[name]
        self._all.remove(refs)

    def all_ids(self) -> IdArray:
        return self._all.view()

    def label_names(self) -> list[str]:
        return sorted(self._by_name)

    def values_of(self, name: str) -> Sequence[str]:
        return list(self._by_name.get(name, ()))

    def ids_for_values(self, name: str, values: Sequence[str]) -> IdArray:
        lists = self._by_name.get(name)
        if lists is None:
            return EMPTY_IDS
        return union_sorted(lists[v].view() for v in values if v in lists)

    def cardinalities(self) -> dict[str, dict[str, int]]:
        """Series count per (name, value), for the TSDB status page."""
        return {n: {v: len(ids) for v, ids in vals.items()} for n, vals in self._by_name.items()}
