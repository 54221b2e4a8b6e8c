"""Label sets: sorted, immutable, hashable — the identity of a series."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import overload

from erpmon.model._gostrings import go_quote

METRIC_NAME = "__name__"

# Prometheus's name rules (model/labels): metric names may hold colons, label names may not.
_METRIC_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")


def is_valid_metric_name(name: str) -> bool:
    return bool(_METRIC_NAME_RE.match(name))


def is_valid_label_name(name: str) -> bool:
    return bool(_LABEL_NAME_RE.match(name))


class Labels:
    """An immutable label set sorted by name; empty values are dropped as in Prometheus.

    Equality and hashing follow the (name, value) pairs, so a `Labels` can key a dict.
    """

    __slots__ = ("_derived", "_hash", "_pairs")

    _pairs: tuple[tuple[str, str], ...]
    _hash: int
    # Label sets derived from this one (without the name, group keys), keyed by how: series
    # objects live as long as a block or head keeps them, and queries derive the same again.
    _derived: dict[object, Labels] | None

    def __init__(self, pairs: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self._pairs = tuple(sorted((n, v) for n, v in items if v != ""))
        self._hash = hash(self._pairs)
        self._derived = None

    @classmethod
    def from_sorted(cls, pairs: tuple[tuple[str, str], ...]) -> Labels:
        """Build from pairs the caller guarantees are sorted by name, unique and non-empty."""
        obj = cls.__new__(cls)
        obj._pairs = pairs
        obj._hash = hash(pairs)
        obj._derived = None
        return obj

    @classmethod
    def of(cls, **labels: str) -> Labels:
        return cls(labels)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return self._pairs

    @property
    def name(self) -> str:
        """The metric name (`__name__`), or '' when absent."""
        return self.get(METRIC_NAME)

    def get(self, name: str, default: str = "") -> str:
        for n, v in self._pairs:
            if n == name:
                return v
        return default

    def has(self, name: str) -> bool:
        return any(n == name for n, _ in self._pairs)

    def to_dict(self) -> dict[str, str]:
        return dict(self._pairs)

    def names(self) -> list[str]:
        return [n for n, _ in self._pairs]

    def with_labels(self, **updates: str) -> Labels:
        """A copy with labels set (an empty value removes the label)."""
        d = self.to_dict()
        d.update(updates)
        return Labels(d)

    def merged(self, other: Mapping[str, str]) -> Labels:
        d = self.to_dict()
        d.update(other)
        return Labels(d)

    def without(self, *names: str) -> Labels:
        drop = set(names)
        return Labels.from_sorted(tuple(p for p in self._pairs if p[0] not in drop))

    def keep_only(self, *names: str) -> Labels:
        keep = set(names)
        return Labels.from_sorted(tuple(p for p in self._pairs if p[0] in keep))

    def without_name(self) -> Labels:
        derived = self._derived
        if derived is None:
            derived = self._derived = {}
        else:
            found = derived.get(METRIC_NAME)
            if found is not None:
                return found
        pairs = self._pairs
        if pairs and pairs[0][0] == METRIC_NAME:
            out = Labels.from_sorted(pairs[1:])
        else:
            out = self.without(METRIC_NAME)
        derived[METRIC_NAME] = out
        return out

    def derived(self, how: object) -> Labels | None:
        """A label set cached by `remember(how, ...)`, e.g. a group key (`how` names the derivation)."""
        derived = self._derived
        return None if derived is None else derived.get(how)

    def remember(self, how: object, lset: Labels) -> None:
        if self._derived is None:
            self._derived = {}
        self._derived[how] = lset

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    @overload
    def __getitem__(self, key: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, key: str) -> str: ...
    def __getitem__(self, key: int | str) -> tuple[str, str] | str:
        if isinstance(key, int):
            return self._pairs[key]
        for n, v in self._pairs:
            if n == key:
                return v
        raise KeyError(key)

    def __contains__(self, name: object) -> bool:
        return any(n == name for n, _ in self._pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Labels) and self._pairs == other._pairs

    def __lt__(self, other: Labels) -> bool:
        return self._pairs < other._pairs

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        """Prometheus's String(): `{a="1", b="2"}` with Go-style quoting."""
        return "{" + ", ".join(f"{n}={go_quote(v)}" for n, v in self._pairs) + "}"

    def __repr__(self) -> str:
        return f"Labels({self})"
