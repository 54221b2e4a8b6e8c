"""Go's printing and ordering of `model.LabelSet`, which group keys and notification order depend on."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

from erpmon.alerting._types import Alert
from erpmon.model import Labels, go_quote


def labelset_string(labels: Labels) -> str:
    """`model.LabelSet.String()`: `name="value"` pairs sorted as whole strings, joined by ", "."""
    return "{" + ", ".join(sorted(f"{n}={go_quote(v)}" for n, v in labels)) + "}"


def labelset_before(a: Labels, b: Labels) -> bool:
    """`model.LabelSet.Before`: fewer labels first, then by values over the union of names."""
    if len(a) != len(b):
        return len(a) < len(b)
    da, db = a.to_dict(), b.to_dict()
    for name in sorted(set(da) | set(db)):
        if name not in da:
            return True
        if name not in db:
            return False
        if da[name] != db[name]:
            return da[name] < db[name]
    return False


def _alert_cmp(x: Alert, y: Alert) -> int:
    """`types.AlertSlice.Less` as a comparison: job, then instance, then the label sets."""
    for key in ("job", "instance"):
        xv, yv = x.labels.has(key), y.labels.has(key)
        if not xv and not yv:
            continue
        if not xv:
            return 1
        if not yv:
            return -1
        a, b = x.labels.get(key), y.labels.get(key)
        if a != b:
            return -1 if a < b else 1
    if labelset_before(x.labels, y.labels):
        return -1
    if labelset_before(y.labels, x.labels):
        return 1
    return 0


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """`sort.Stable(types.AlertSlice)`."""
    return sorted(alerts, key=functools.cmp_to_key(_alert_cmp))


def alert_hash(labels: Labels) -> int:
    """A stable 64-bit hash of a label set, for the notification log (Alertmanager uses xxhash).

    Only erpmon reads the log, so any hash stable across processes will do; blake2b is in C.
    """
    h = hashlib.blake2b(digest_size=8)
    for name, value in labels:
        h.update(name.encode())
        h.update(b"\xff")
        h.update(value.encode())
        h.update(b"\xff")
    return int.from_bytes(h.digest(), "big")
