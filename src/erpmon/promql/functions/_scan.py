"""Walking every (series, step) window of a range vector at once.

Prometheus computes each window with a sequential loop (Kahan sums, Holt-Winters, min/max with
its NaN rules). To give its exact answers we run the same loop, but in lockstep over all windows:
at position k every window still running takes its k-th sample. Windows are ordered longest
first, so the windows still running at position k are a prefix of that order and each step of
the loop works on array slices without masks; the total work is the number of samples in all
windows, as in Prometheus.

Loops whose state is a plain running sum (Kahan sums: sum_over_time, the regression sums) or a
running extreme can also run along the window: windows become the rows of a padded matrix and
numpy's sequential accumulate replays the loop bit for bit. That is the faster way when a few
long windows would make the lockstep loop long (instant queries over days).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import F64, I64, Bool, RangeWindows, StepVector

# Windows per block of a lockstep loop: its few state arrays fit in a core's L2 cache.
BLOCK = 16384
# Lockstep loops are used when a loop position advances at least this many windows on average.
LOCKSTEP_MIN_WIDTH = 512


@dataclass
class Scan:
    """The windows of a range vector holding at least `min_count` samples, longest first.

    flat: each window's index in the flattened (n, T) result; first/last: its first and last
    sample in ts/vs; count: its number of samples; step: its step (column).
    """

    flat: I64
    first: I64
    count: I64
    step: I64
    running: I64  # running[k]: how many windows have more than k samples

    @property
    def size(self) -> int:
        return int(self.flat.shape[0])

    @property
    def last(self) -> I64:
        last: I64 = self.first + self.count - 1
        return last

    def blocks(self, size: int | None = None) -> Iterator[tuple[slice, Scan]]:
        """The scan cut into consecutive blocks of windows, small enough for the CPU caches.

        Loops over positions then run block by block: each block's state arrays stay in cache
        through its whole loop instead of streaming every window's state through memory at
        every position.
        """
        size = size or BLOCK
        for lo in range(0, self.size, size):
            hi = min(self.size, lo + size)
            running = np.minimum(self.running, hi) - lo
            running = running[running > 0]
            part = Scan(self.flat[lo:hi], self.first[lo:hi], self.count[lo:hi], self.step[lo:hi], running)
            yield slice(lo, hi), part

    def lockstep_pays(self) -> bool:
        """Whether a lockstep loop beats padded matrices here.

        A lockstep position costs a few microseconds of interpreter time whatever the number of
        windows it advances; padded matrices cost a few times more memory traffic per sample.
        Lockstep wins when each position advances hundreds of windows (many series or steps),
        padded when a few long windows make the loop long (instant queries over days).
        """
        samples = int(self.count.sum())
        positions = int(self.count[::BLOCK].sum())  # each block loops over its longest window
        return samples >= LOCKSTEP_MIN_WIDTH * max(positions, 1)

    def positions(self, start: int = 0) -> Iterator[tuple[int, int, I64]]:
        """For k = start, start+1, ...: (k, m, sample index of position k in the first m windows)."""
        for k in range(start, self.running.shape[0]):
            m = int(self.running[k])
            yield k, m, self.first[:m] + k


def longest_first(counts: I64) -> tuple[I64, I64]:
    """An order of sequences longest first, and running[k]: how many have more than k elements."""
    keys = -counts
    if counts.size and int(counts.max()) < 1 << 15:
        keys = keys.astype(np.int16)  # numpy's stable sort is a radix sort for 16-bit integers
    order = np.argsort(keys, kind="stable")
    cnt = counts[order]
    longest = int(cnt[0]) if cnt.size else 0
    # Counts are descending: the number of them greater than k is a search in -counts.
    running = np.searchsorted(-cnt, -np.arange(longest, dtype=np.int64), side="left").astype(np.int64)
    return order.astype(np.int64), running


def scan(w: RangeWindows, min_count: int = 1) -> Scan:
    start = w.start.ravel()
    count = (w.end - w.start).ravel()
    active = np.flatnonzero(count >= min_count)
    order, running = longest_first(count[active])
    flat = active[order]
    steps = max(int(w.start.shape[1]), 1)
    return Scan(flat, start[flat], count[flat], flat % steps, running)


@dataclass
class Padded:
    """A block of windows (in scan order) as a matrix: row r holds window r's samples, left-aligned.

    idx: (rows, width) sample indices, padded with each window's last index; inside: where the
    matrix holds a real sample; count: samples per row.
    """

    part: slice
    idx: I64
    inside: Bool
    count: I64

    def values(self, vs: F64, pad: float) -> F64:
        out: F64 = np.where(self.inside, vs[self.idx], pad)
        return out


# Elements per padded block (rows x width).
PADDED_BLOCK = 1 << 19


def padded(s: Scan, budget: int | None = None) -> Iterator[Padded]:
    """The scan's windows as padded matrices, a block of similar lengths at a time."""
    budget = budget or PADDED_BLOCK
    lo = 0
    while lo < s.size:
        width = int(s.count[lo])
        hi = min(s.size, lo + max(1, budget // max(width, 1)))
        count = s.count[lo:hi]
        cols = np.arange(width, dtype=np.int64)
        inside = cols[None, :] < count[:, None]
        first = s.first[lo:hi, None]
        idx = np.minimum(first + cols[None, :], first + count[:, None] - 1)
        yield Padded(slice(lo, hi), idx, inside, count)
        lo = hi


def kahan_rows(x: F64) -> tuple[F64, F64]:
    """Prometheus's Kahan (Neumaier) sum of each row, left to right, and its compensation.

    The running sums are the plain sequential sums (np.add.accumulate is sequential, not
    pairwise) and each step's error term depends only on the sums before and after it, so the
    loop vectorises exactly; a leading 0 column reproduces Go's sum starting at 0.
    Returns (sum, compensation) at every position of each row.
    """
    rows = x.shape[0]
    padded_x = np.concatenate([np.zeros((rows, 1)), x], axis=1)
    sums = np.add.accumulate(padded_x, axis=1)
    before, after = sums[:, :-1], sums[:, 1:]
    big = np.abs(before) >= np.abs(x)
    larger = np.where(big, before, x)
    smaller = np.where(big, x, before)
    larger -= after
    larger += smaller
    errors = np.concatenate([np.zeros((rows, 1)), larger], axis=1)
    comps = np.add.accumulate(errors, axis=1)
    return after, comps[:, 1:]


def at_count(m: F64, count: I64) -> F64:
    """Each row's value at its last sample."""
    out: F64 = m[np.arange(m.shape[0]), count - 1]
    return out


def result_labels(w: RangeWindows, keep_name: bool = False) -> list[Labels]:
    if keep_name:
        return list(w.labels)
    return [lset.without_name() for lset in w.labels]


def to_vector(w: RangeWindows, s: Scan, values: F64, keep_name: bool = False) -> StepVector:
    """A StepVector with one row per input series from per-window results in scan order."""
    shape = w.start.shape
    out = np.zeros(shape[0] * shape[1])
    present = np.zeros(shape[0] * shape[1], dtype=bool)
    out[s.flat] = values
    present[s.flat] = True
    return StepVector(result_labels(w, keep_name), out.reshape(shape), present.reshape(shape))


def kahan_inc(inc: F64, total: F64, comp: F64) -> tuple[F64, F64]:
    """Prometheus's kahanSumInc (Neumaier's variant): the new sum and compensation."""
    t = total + inc
    big = np.abs(total) >= np.abs(inc)
    comp = comp + np.where(big, (total - t) + inc, (inc - t) + total)
    return t, comp


def kahan_add(inc: F64, total: F64, comp: F64) -> None:
    """kahan_inc in place: total and comp (views into the state) are updated."""
    t = total + inc
    big = np.abs(total) >= np.abs(inc)
    larger = np.where(big, total, inc)
    smaller = np.where(big, inc, total)
    larger -= t
    larger += smaller
    comp += larger
    total[...] = t


def pair_counts(w: RangeWindows, s: Scan, flags: Bool) -> I64:
    """Per window in scan order: how many samples i after the window's first have flags[i].

    flags[i] describes the pair (i-1, i); integer prefix sums make the count exact.
    """
    cum = np.zeros(flags.shape[0] + 1, dtype=np.int64)
    np.cumsum(flags, out=cum[1:])
    counts: I64 = cum[s.first + s.count] - cum[s.first + 1]
    return counts


def series_starts(w: RangeWindows) -> Bool:
    """True at each series' first sample in the concatenated arrays."""
    starts = np.zeros(w.vs.shape[0], dtype=bool)
    heads = w.offsets[:-1][np.diff(w.offsets) > 0]
    starts[heads] = True
    return starts


def step_param(values: F64, s: Scan) -> F64:
    """A per-step scalar argument spread over the windows in scan order."""
    out: F64 = np.asarray(values, dtype=np.float64)[s.step]
    return out
