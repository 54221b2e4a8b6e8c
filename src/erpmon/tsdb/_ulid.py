"""ULIDs for block directories: 48-bit millisecond time + 80 random bits, Crockford base32.

Only creation order matters (the directory names sort like creation times), so the wall
clock here is fine: nothing reads time back out of an id.
"""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int | None = None) -> str:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(name: str) -> bool:
    return len(name) == 26 and all(c in _ALPHABET for c in name)
