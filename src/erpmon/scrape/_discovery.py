"""Target discovery erpmon implements: static_configs and file_sd_configs (re-read on change)."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from erpmon.config import FileSDConfig, TargetGroup, load_file_sd
from erpmon.scrape._stats import ScrapeStats

log = logging.getLogger("erpmon.scrape.discovery")

# How often file_sd files are checked for changes; Prometheus reacts to inotify events, a
# stat() per second is the portable equivalent and costs nothing.
POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class _FileState:
    mtime_ns: int
    size: int
    inode: int


class FileDiscovery:
    """Watches the files of one file_sd_config and yields their target groups when they change.

    A file that fails to parse keeps its last good groups, as Prometheus does.
    """

    def __init__(self, config: FileSDConfig, stats: ScrapeStats) -> None:
        self._config = config
        self._stats = stats
        self._states: dict[str, _FileState] = {}
        self._groups: dict[str, list[TargetGroup]] = {}

    def _paths(self) -> list[str]:
        found: set[str] = set()
        for pattern in self._config.files:
            found.update(p for p in glob.glob(pattern) if os.path.isfile(p))
        return sorted(found)

    def refresh(self, force: bool = False) -> bool:
        """Re-read changed files; True when the set of groups changed."""
        changed = False
        paths = self._paths()
        for gone in set(self._groups) - set(paths):
            del self._groups[gone]
            self._states.pop(gone, None)
            changed = True
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                continue
            state = _FileState(st.st_mtime_ns, st.st_size, st.st_ino)
            if not force and self._states.get(path) == state:
                continue
            self._states[path] = state
            try:
                groups = load_file_sd(path)
            except (OSError, ValueError) as err:
                self._stats.sd_file_read_errors += 1
                log.error("error reading file_sd file path=%s err=%s", path, err)
                continue
            if groups != self._groups.get(path):
                self._groups[path] = groups
                changed = True
        return changed

    def groups(self) -> list[TargetGroup]:
        return [g for path in sorted(self._groups) for g in self._groups[path]]

    async def run(self, on_change: Callable[[], Awaitable[None]]) -> None:
        refresh_s = max(self._config.refresh_interval_ms / 1000.0, POLL_INTERVAL_S)
        since_full = 0.0
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            since_full += POLL_INTERVAL_S
            force = since_full >= refresh_s
            if force:
                since_full = 0.0
            if self.refresh(force=force):
                await on_change()


class Discovery:
    """All target groups of one scrape config: its static groups plus its file_sd files."""

    def __init__(
        self, static: Sequence[TargetGroup], files: Sequence[FileSDConfig], stats: ScrapeStats
    ) -> None:
        self._static = list(static)
        self._files = [FileDiscovery(f, stats) for f in files]
        self._tasks: list[asyncio.Task[None]] = []

    def groups(self) -> list[TargetGroup]:
        for f in self._files:
            f.refresh()
        return self._static + [g for f in self._files for g in f.groups()]

    def start(self, on_change: Callable[[], Awaitable[None]]) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(f.run(on_change)) for f in self._files]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []
