"""statfs with a deadline, so a hung mount (a dead NFS server) cannot hang the scrape.

node_exporter's scheme (collector/filesystem_linux.go, ``--collector.filesystem.mount-timeout``):
each call runs on its own thread; one that outlives the timeout marks its mount point stuck,
and until that call returns, the mount point is reported as a device error without calling
statfs again. The threads are daemons: a call the kernel never answers does not block exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from erpmon.hostmetrics._provider import FilesystemUsage


class StatfsGuard:
    """``usage(mountpoint)`` within ``timeout`` seconds, else ``TimeoutError`` (an ``OSError``)."""

    def __init__(self, usage: Callable[[str], FilesystemUsage], timeout: float | None) -> None:
        self._usage = usage
        self._timeout = timeout
        self._lock = threading.Lock()
        self._stuck: set[str] = set()

    def stuck(self) -> set[str]:
        """Mount points whose statfs call has not returned yet."""
        with self._lock:
            return set(self._stuck)

    def usage(self, mountpoint: str) -> FilesystemUsage:
        if self._timeout is None:
            return self._usage(mountpoint)
        with self._lock:
            if mountpoint in self._stuck:
                raise TimeoutError(f"statfs({mountpoint!r}) has not returned since an earlier scrape")
        outcome: list[FilesystemUsage | Exception] = []
        done = threading.Event()

        def call() -> None:
            try:
                outcome.append(self._usage(mountpoint))
            except Exception as err:  # handed to the scraping thread below, which raises it
                outcome.append(err)
            finally:
                with self._lock:
                    self._stuck.discard(mountpoint)
                    done.set()

        threading.Thread(target=call, name=f"statfs {mountpoint}", daemon=True).start()
        if not done.wait(self._timeout):
            with self._lock:
                if not done.is_set():
                    self._stuck.add(mountpoint)
                    raise TimeoutError(f"statfs({mountpoint!r}) took longer than {self._timeout} s")
        result = outcome[0]
        if isinstance(result, Exception):
            raise result
        return result
