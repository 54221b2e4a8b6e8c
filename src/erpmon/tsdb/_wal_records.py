"""WAL record framing and payloads (see docs/tsdb-format.md).

Frame: `type:u8 | length:u32 | crc32:u32 | payload[length]`, little endian, where the CRC
(zlib's CRC-32) covers the type, the length and the payload, so a flipped header byte is
caught as surely as a flipped payload byte. Payloads are raw numpy bytes for samples and a
length-prefixed UTF-8 encoding for series; encoding is per record, never per sample.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels

SERIES = 1
SAMPLES = 2
KNOWN_TYPES = (SERIES, SAMPLES)

_HEADER = struct.Struct("<BII")
HEADER_SIZE = _HEADER.size
_SAMPLES_HEAD = struct.Struct("<IBq")
_REFS_U32 = 1
_TS_I32 = 2
_SERIES_HEAD = struct.Struct("<QH")
_U32 = struct.Struct("<I")
_U16 = struct.Struct("<H")

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def frame(rtype: int, payload: bytes) -> bytes:
    head = struct.pack("<BI", rtype, len(payload))
    crc = zlib.crc32(payload, zlib.crc32(head))
    return head + _U32.pack(crc) + payload


def encode_series(series: Sequence[tuple[int, Labels]]) -> bytes:
    parts = [_U32.pack(len(series))]
    for ref, labels in series:
        parts.append(_SERIES_HEAD.pack(ref, len(labels)))
        for name, value in labels.pairs:
            n, v = name.encode(), value.encode()
            parts += (_U16.pack(len(n)), n, _U32.pack(len(v)), v)
    return frame(SERIES, b"".join(parts))


def decode_series(payload: memoryview) -> list[tuple[int, Labels]]:
    (count,) = _U32.unpack_from(payload, 0)
    off = 4
    out: list[tuple[int, Labels]] = []
    for _ in range(count):
        ref, npairs = _SERIES_HEAD.unpack_from(payload, off)
        off += _SERIES_HEAD.size
        pairs = []
        for _ in range(npairs):
            (nlen,) = _U16.unpack_from(payload, off)
            name = bytes(payload[off + 2 : off + 2 + nlen]).decode()
            off += 2 + nlen
            (vlen,) = _U32.unpack_from(payload, off)
            value = bytes(payload[off + 4 : off + 4 + vlen]).decode()
            off += 4 + vlen
            pairs.append((name, value))
        out.append((ref, Labels(pairs)))
    if off != len(payload):
        raise ValueError(f"series record has {len(payload) - off} trailing bytes")
    return out


def encode_samples(refs: I64, ts: I64, vs: F64) -> bytes:
    """Refs as u32 and timestamps as i32 offsets from the smallest one, when they fit."""
    n = len(refs)
    flags = 0
    tbase = int(ts.min()) if n else 0
    ref_bytes = refs.tobytes()
    if n and int(refs.max()) < (1 << 32):
        flags |= _REFS_U32
        ref_bytes = refs.astype(np.uint32).tobytes()
    t_off = ts - tbase  # may wrap for spans over 2^63; decoding wraps back the same way
    if n and int(ts.max()) - tbase < (1 << 31):
        flags |= _TS_I32
        t_bytes = t_off.astype(np.int32).tobytes()
    else:
        t_bytes = t_off.tobytes()
    head = _SAMPLES_HEAD.pack(n, flags, tbase)
    return frame(SAMPLES, b"".join((head, ref_bytes, t_bytes, vs.tobytes())))


def decode_samples(payload: memoryview) -> tuple[I64, I64, F64]:
    n, flags, tbase = _SAMPLES_HEAD.unpack_from(payload, 0)
    off = _SAMPLES_HEAD.size
    ref_dt = np.uint32 if flags & _REFS_U32 else np.int64
    t_dt = np.int32 if flags & _TS_I32 else np.int64
    need = off + n * (np.dtype(ref_dt).itemsize + np.dtype(t_dt).itemsize + 8)
    if need != len(payload):
        raise ValueError(f"samples record of {n} samples has {len(payload)} bytes, want {need}")
    refs = np.frombuffer(payload, ref_dt, n, off).astype(np.int64)
    off += np.dtype(ref_dt).itemsize * n
    ts = np.frombuffer(payload, t_dt, n, off).astype(np.int64) + tbase
    off += np.dtype(t_dt).itemsize * n
    vs = np.frombuffer(payload, np.float64, n, off).copy()
    return refs, ts, vs


@dataclass(frozen=True)
class Corruption:
    offset: int
    reason: str


def iter_records(data: bytes | memoryview) -> Iterator[tuple[int, memoryview, int] | Corruption]:
    """Yield (type, payload, end offset) per good record; a bad one ends with a Corruption."""
    view = memoryview(data)
    off, size = 0, len(view)
    while off < size:
        if size - off < HEADER_SIZE:
            yield Corruption(off, f"torn record header ({size - off} of {HEADER_SIZE} bytes)")
            return
        rtype, length, crc = _HEADER.unpack_from(view, off)
        if rtype not in KNOWN_TYPES:
            yield Corruption(off, f"unknown record type {rtype}")
            return
        end = off + HEADER_SIZE + length
        if end > size:
            yield Corruption(
                off, f"torn record (needs {length} payload bytes, {size - off - HEADER_SIZE} left)"
            )
            return
        payload = view[off + HEADER_SIZE : end]
        if zlib.crc32(payload, zlib.crc32(view[off : off + 5])) != crc:
            yield Corruption(off, "CRC mismatch")
            return
        yield rtype, payload, end
        off = end
