"""Label matchers over the head's postings and a block's index, with Prometheus's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from erpmon.model import Labels, Matcher, MatchType
from erpmon.tsdb import write_block
from erpmon.tsdb._postings import MemPostings, select_ids

SERIES = [
    Labels.of(__name__="http_requests_total", job="api", code="200"),
    Labels.of(__name__="http_requests_total", job="api", code="500"),
    Labels.of(__name__="http_requests_total", job="xapi", code="200"),
    Labels.of(__name__="up", job="api"),
    Labels.of(__name__="up", job="db", foo="bar"),
    Labels.of(__name__="up", job="db", foo="baz"),
]


@pytest.fixture(params=["head", "block", "both"])
def db(request, open_db, tmp_path):
    """The same six series, in the head, in a block, or split over both."""
    data = tmp_path / "data"
    if request.param in ("block", "both"):
        in_block = SERIES if request.param == "block" else SERIES[::2]
        write_block(data, [(lb, [1000], [1.0]) for lb in in_block])
    store = open_db(data)
    if request.param in ("head", "both"):
        app = store.appender()
        for lb in SERIES if request.param == "head" else SERIES[1::2]:
            app.append(0, lb, 2000, 1.0)  # after the block: older would be too old
        app.commit()
    return store


def names(db, *matchers: Matcher) -> list[str]:
    q = db.querier(0, 10_000)
    out = [str(s.labels) for s in q.select(list(matchers))]
    q.close()
    return out


def expect(*idx: int) -> list[str]:
    return [str(lb) for lb in sorted(SERIES[i] for i in idx)]


@pytest.mark.parametrize(
    ("matchers", "want"),
    [
        ([Matcher.equal("job", "api")], (0, 1, 3)),
        ([Matcher.equal("__name__", "up"), Matcher.equal("job", "db")], (4, 5)),
        ([Matcher.not_equal("job", "api")], (2, 4, 5)),
        ([Matcher.regex("job", "api")], (0, 1, 3)),  # anchored: not xapi
        ([Matcher.regex("job", "x?api")], (0, 1, 2, 3)),
        ([Matcher.regex("job", ".*api")], (0, 1, 2, 3)),
        ([Matcher.not_regex("job", "api|db")], (2,)),
        ([Matcher.regex("code", "5..")], (1,)),
        # A matcher matching "" also selects series without the label.
        ([Matcher.equal("foo", "")], (0, 1, 2, 3)),
        ([Matcher.not_equal("foo", "")], (4, 5)),
        ([Matcher.regex("foo", "bar|")], (0, 1, 2, 3, 4)),
        ([Matcher.not_regex("foo", "bar")], (0, 1, 2, 3, 5)),
        ([Matcher.regex("foo", ".+")], (4, 5)),
        ([Matcher.not_regex("foo", "")], (4, 5)),
        ([Matcher.regex("nope", ".*")], (0, 1, 2, 3, 4, 5)),
        ([Matcher.equal("nope", "")], (0, 1, 2, 3, 4, 5)),
        ([Matcher.equal("nope", "x")], ()),
        ([Matcher.regex("__name__", "up"), Matcher.not_regex("foo", "ba.")], (3,)),
        ([Matcher.equal("job", "api"), Matcher.equal("job", "db")], ()),
        ([], (0, 1, 2, 3, 4, 5)),
    ],
)
def test_matchers(db, matchers, want):
    assert names(db, *matchers) == expect(*want)


def test_label_names_and_values(db):
    q = db.querier(0, 10_000)
    assert q.label_names() == ["__name__", "code", "foo", "job"]
    assert q.label_values("job") == ["api", "db", "xapi"]
    assert q.label_values("foo", [Matcher.equal("job", "api")]) == []
    assert q.label_values("code", [Matcher.regex("job", "x.*")]) == ["200"]
    assert q.label_names([Matcher.equal("__name__", "up")]) == ["__name__", "foo", "job"]
    q.close()


@dataclass(frozen=True)
class CountingMatcher(Matcher):
    calls: list[str] | None = None

    def matches(self, value: str) -> bool:
        assert self.calls is not None
        self.calls.append(value)
        return super().matches(value)


class _Index:
    def __init__(self, postings: MemPostings) -> None:
        self.p = postings

    def all_ids(self):
        return self.p.all_ids()

    def label_names(self):
        return self.p.label_names()

    def values_of(self, name: str) -> Sequence[str]:
        return self.p.values_of(name)

    def ids_for_values(self, name, values):
        return self.p.ids_for_values(name, values)


def test_regex_runs_once_per_distinct_value_not_per_series():
    postings = MemPostings()
    for ref in range(1, 1001):
        postings.add(ref, (("__name__", "m"), ("pod", f"p{ref % 10}")))
    calls: list[str] = []
    m = CountingMatcher(MatchType.REGEX, "pod", "p[12]", calls=calls)
    ids = select_ids(_Index(postings), [m])
    assert len(ids) == 200
    assert sorted(calls) == sorted({f"p{i}" for i in range(10)} | {""})


def test_head_postings_follow_commit_order_not_ref_order(open_db):
    db = open_db()
    first, second = db.appender(), db.appender()
    r1 = first.ref(SERIES[0])
    r2 = second.ref(SERIES[1])
    assert r1 < r2
    second.append(r2, None, 1000, 1.0)
    second.commit()
    first.append(r1, None, 1000, 1.0)
    first.commit()
    assert names(db, Matcher.equal("job", "api")) == expect(0, 1)
    assert np.all(np.diff(db._head.postings.all_ids()) > 0)
