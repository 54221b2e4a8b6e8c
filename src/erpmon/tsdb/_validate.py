"""Vectorised admission of one batch: Prometheus's per-sample rules without a per-sample loop.

Per series, in batch order: t below the head's lower bound is too old ("out of bounds");
t before the series' latest accepted t is out of order; t equal to it with different value
bits is a duplicate, with identical bits a silent no-op; anything later is accepted.
Samples of one series inside a batch are judged against the batch's earlier samples too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

ACCEPTED, IDENTICAL, OUT_OF_ORDER, DUPLICATE, TOO_OLD = 0, 1, 2, 3, 4

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Verdict:
    """`status[i]` judges sample i; `last_*` give each touched series' newest accepted sample.

    Accepted samples keep batch order, which is already time order within each series.
    """

    status: npt.NDArray[np.int8]
    last_refs: I64
    last_t: I64
    last_bits: U64

    def counts(self) -> npt.NDArray[np.int64]:
        return np.bincount(self.status, minlength=5).astype(np.int64)


def judge(
    refs: I64,
    ts: I64,
    bits: U64,
    prev_t: I64,
    prev_bits: U64,
    min_valid: int,
    unique: bool,
) -> Verdict:
    """Judge a batch; `prev_t`/`prev_bits` are each sample's series' committed newest sample.

    `unique` says no ref repeats in the batch (the common scrape case), which skips sorting.
    """
    if unique:
        return _judge_unique(refs, ts, bits, prev_t, prev_bits, min_valid)
    return _judge_grouped(refs, ts, bits, prev_t, prev_bits, min_valid)


def _status(ts: I64, bits: U64, prev_t: I64, prev_bits: U64, min_valid: int) -> npt.NDArray[np.int8]:
    status = np.zeros(len(ts), dtype=np.int8)
    same_t = ts == prev_t
    status[same_t] = IDENTICAL
    status[same_t & (bits != prev_bits)] = DUPLICATE
    status[ts < prev_t] = OUT_OF_ORDER
    status[ts < min_valid] = TOO_OLD
    return status


def _judge_unique(refs: I64, ts: I64, bits: U64, prev_t: I64, prev_bits: U64, min_valid: int) -> Verdict:
    status = _status(ts, bits, prev_t, prev_bits, min_valid)
    ok = status == ACCEPTED
    return Verdict(status, refs[ok], ts[ok], bits[ok])


def _judge_grouped(refs: I64, ts: I64, bits: U64, prev_t: I64, prev_bits: U64, min_valid: int) -> Verdict:
    n = len(refs)
    order = np.argsort(refs, kind="stable").astype(np.int64)
    r, t, b = refs[order], ts[order], bits[order]
    first = np.ones(n, dtype=bool)
    first[1:] = r[1:] != r[:-1]
    starts = np.flatnonzero(first)
    n_groups = len(starts)
    group = np.cumsum(first) - 1
    # Lay each group out behind a virtual sample holding the series' committed newest
    # sample; then "the newest sample before i" is a running max that restarts per group.
    real_pos = np.arange(n) + group + 1
    virt_pos = starts + np.arange(n_groups)
    ext_t = np.empty(n + n_groups, dtype=np.int64)
    ext_b = np.empty(n + n_groups, dtype=np.uint64)
    ext_g = np.empty(n + n_groups, dtype=np.int64)
    ext_t[virt_pos], ext_t[real_pos] = prev_t[order][starts], t
    ext_b[virt_pos], ext_b[real_pos] = prev_bits[order][starts], b
    ext_g[virt_pos], ext_g[real_pos] = np.arange(n_groups), group
    # Dense ranks keep group * n_ranks + rank inside int64 whatever the timestamps are.
    uniq, rank = np.unique(ext_t, return_inverse=True)
    n_ranks = len(uniq)
    key = ext_g * n_ranks + rank.reshape(-1)
    running = np.maximum.accumulate(key)
    is_new = np.ones(len(key), dtype=bool)
    is_new[1:] = running[1:] > running[:-1]
    # Position of the sample that set the running max: its bits decide duplicate vs no-op.
    setter = np.maximum.accumulate(np.where(is_new, np.arange(len(key)), 0))
    before = real_pos - 1
    newest_t = uniq[running[before] - ext_g[before] * n_ranks]
    newest_b = ext_b[setter[before]]
    status_sorted = _status(t, b, newest_t, newest_b, min_valid)
    status = np.empty(n, dtype=np.int8)
    status[order] = status_sorted
    ok = np.flatnonzero(status_sorted == ACCEPTED)
    # Accepted samples rise per group, so each group's last accepted one is its newest.
    ok_group = group[ok]
    last = np.ones(len(ok), dtype=bool)
    last[:-1] = ok_group[1:] != ok_group[:-1]
    keep = ok[last]
    return Verdict(status, r[keep], t[keep], b[keep])
