"""The notification log (`nflog`): what each receiver integration last sent for each group.

The dedup stage reads it to decide whether a flush needs a notification. Every entry is appended
to a JSON-lines file with one `os.write` before the call returns, so a process killed right after a
notification still knows it sent it; the file is rewritten with the live entries when it grows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import structlog

log = structlog.get_logger("erpmon.alerting.nflog")

RETENTION_NS = 120 * 3600 * 1_000_000_000


@dataclass(frozen=True)
class Entry:
    group_key: str
    receiver: str  # "<receiver name>/<integration>/<index>"
    timestamp_ns: int
    firing: frozenset[int]
    resolved: frozenset[int]
    expires_at_ns: int

    def to_json(self) -> str:
        return json.dumps(
            {
                "group_key": self.group_key,
                "receiver": self.receiver,
                "timestamp_ns": self.timestamp_ns,
                "firing": sorted(self.firing),
                "resolved": sorted(self.resolved),
                "expires_at_ns": self.expires_at_ns,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> Entry:
        d = json.loads(line)
        return cls(
            str(d["group_key"]),
            str(d["receiver"]),
            int(d["timestamp_ns"]),
            frozenset(int(x) for x in d["firing"]),
            frozenset(int(x) for x in d["resolved"]),
            int(d["expires_at_ns"]),
        )


class NotificationLog:
    def __init__(
        self, path: str | None, *, now_ns: Callable[[], int], retention_ns: int = RETENTION_NS
    ) -> None:
        self._path = path
        self._now_ns = now_ns
        self._retention_ns = retention_ns
        self._entries: dict[tuple[str, str], Entry] = {}
        self._fd: int | None = None
        self._lines = 0
        if path is not None:
            self._load(path)
            self._rewrite()

    def query(self, group_key: str, receiver: str) -> Entry | None:
        return self._entries.get((group_key, receiver))

    def log(
        self, receiver: str, group_key: str, firing: frozenset[int], resolved: frozenset[int], expiry_ns: int
    ) -> None:
        """`nflog.Log`: record a sent notification; it expires after min(retention, expiry)."""
        now = self._now_ns()
        prev = self._entries.get((group_key, receiver))
        if prev is not None and prev.timestamp_ns > now:
            return
        expires = now + (expiry_ns if 0 < expiry_ns < self._retention_ns else self._retention_ns)
        entry = Entry(group_key, receiver, now, firing, resolved, expires)
        self._entries[(group_key, receiver)] = entry
        self._append(entry)

    def gc(self) -> int:
        now = self._now_ns()
        gone = [k for k, e in self._entries.items() if e.expires_at_ns < now]
        for k in gone:
            del self._entries[k]
        if gone or self._lines > 2 * len(self._entries) + 1000:
            self._rewrite()
        return len(gone)

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _load(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except FileNotFoundError:
            return
        now = self._now_ns()
        bad = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                e = Entry.from_json(line)
            except (ValueError, KeyError, TypeError):
                # A torn last line after a crash; earlier lines are complete.
                bad += 1
                continue
            if e.expires_at_ns >= now:
                self._entries[(e.group_key, e.receiver)] = e
        if bad:
            log.warning("notification log lines skipped", path=path, lines=bad)

    def _rewrite(self) -> None:
        if self._path is None:
            return
        tmp = self._path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for e in self._entries.values():
                f.write(e.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path)
        self.close()
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
        self._lines = len(self._entries)

    def _append(self, entry: Entry) -> None:
        if self._fd is None:
            return
        os.write(self._fd, (entry.to_json() + "\n").encode())
        self._lines += 1
