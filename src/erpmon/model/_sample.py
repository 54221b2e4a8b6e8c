"""Samples' special values: Prometheus's staleness marker is one specific NaN bit pattern."""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

# value.StaleNaN in Prometheus: a signalling-free NaN distinct from the math.NaN() scrapes produce.
STALE_NAN_BITS = 0x7FF0000000000002
STALE_NAN: float = struct.unpack("<d", struct.pack("<Q", STALE_NAN_BITS))[0]


def is_stale_nan(v: float | npt.NDArray[np.float64]) -> bool | npt.NDArray[np.bool_]:
    """True where `v` carries exactly the staleness bit pattern (not any NaN)."""
    if isinstance(v, np.ndarray):
        bits: npt.NDArray[np.bool_] = np.asarray(v, dtype=np.float64).view(np.uint64) == STALE_NAN_BITS
        return bits
    return bool(struct.unpack("<Q", struct.pack("<d", v))[0] == STALE_NAN_BITS)
