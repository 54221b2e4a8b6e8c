"""Silences: states over time, 0.25's update rules and messages, matching, persistence, GC."""

from __future__ import annotations

from pathlib import Path

import pytest

from erpmon.alerting.silences import Silence, SilenceError, SilenceNotFound, Silences
from erpmon.model import Labels, Matcher

S = 1_000_000_000
T0 = 1_700_000_000 * S


class Clock:
    def __init__(self) -> None:
        self.ns = T0

    def __call__(self) -> int:
        return self.ns


def sil(start: int, end: int, *matchers: Matcher, sid: str = "") -> Silence:
    return Silence(sid, matchers or (Matcher.equal("alertname", "A"),), start, end, 0, "me", "why")


def test_states_over_time() -> None:
    clock = Clock()
    store = Silences(None, now_ns=clock)
    sid = store.set(sil(T0 + 10 * S, T0 + 20 * S))
    assert store.get(sid).state(clock()) == "pending"
    assert store.mutes(Labels({"alertname": "A"}), clock()) == ([], [sid])
    clock.ns = T0 + 15 * S
    assert store.mutes(Labels({"alertname": "A"}), clock()) == ([sid], [])
    assert store.mutes(Labels({"alertname": "B"}), clock()) == ([], [])
    clock.ns = T0 + 21 * S
    assert store.get(sid).state(clock()) == "expired"
    assert store.query(states={"expired"})[0].id == sid


def test_start_in_the_past_is_moved_to_now() -> None:
    clock = Clock()
    store = Silences(None, now_ns=clock)
    sid = store.set(sil(T0 - 100 * S, T0 + 100 * S))
    assert store.get(sid).starts_at == T0


@pytest.mark.parametrize(
    ("silence", "message"),
    [
        (Silence("", (), T0, T0 + S), "at least one matcher required"),
        (sil(T0, T0 + S, Matcher.regex("a", ".*")), "at least one matcher must not match the empty string"),
        (sil(T0 + 5 * S, T0 + S), "end time must not be before start time"),
    ],
)
def test_invalid_silences(silence: Silence, message: str) -> None:
    with pytest.raises(SilenceError, match=message):
        Silences(None, now_ns=Clock()).set(silence)


def test_update_rules() -> None:
    clock = Clock()
    store = Silences(None, now_ns=clock)
    sid = store.set(sil(T0, T0 + 100 * S))
    # Extending an active silence keeps its id.
    assert store.set(sil(T0, T0 + 200 * S, sid=sid)) == sid
    # Changing its matchers expires it and creates another.
    other = store.set(sil(T0, T0 + 200 * S, Matcher.equal("alertname", "B"), sid=sid))
    assert other != sid and store.get(sid).state(clock.ns + 1) == "expired"
    with pytest.raises(SilenceNotFound):
        store.set(sil(T0, T0 + S, sid="nope"))


def test_expire_pending_and_active() -> None:
    clock = Clock()
    store = Silences(None, now_ns=clock)
    pending = store.set(sil(T0 + 50 * S, T0 + 100 * S))
    active = store.set(sil(T0, T0 + 100 * S))
    store.expire(pending)
    store.expire(active)
    clock.ns += 1
    assert {s.state(clock()) for s in store.query()} == {"expired"}
    with pytest.raises(SilenceNotFound):
        store.expire("unknown")


def test_persists_and_survives_a_corrupt_file(tmp_path: Path) -> None:
    path = str(tmp_path / "silences.json")
    clock = Clock()
    sid = Silences(path, now_ns=clock).set(sil(T0, T0 + 100 * S, Matcher.regex("instance", "db.+")))
    again = Silences(path, now_ns=clock)
    assert again.get(sid).matchers == (Matcher.regex("instance", "db.+"),)
    (tmp_path / "silences.json").write_text("{not json")
    fresh = Silences(path, now_ns=clock)
    assert fresh.query() == []
    assert any(p.name.startswith("silences.json.corrupt") for p in tmp_path.iterdir())


def test_gc_drops_silences_expired_beyond_retention() -> None:
    clock = Clock()
    store = Silences(None, now_ns=clock, retention_ns=10 * S)
    store.set(sil(T0, T0 + S))
    assert store.gc(T0 + 5 * S) == 0
    assert store.gc(T0 + 20 * S) == 1 and store.query() == []
