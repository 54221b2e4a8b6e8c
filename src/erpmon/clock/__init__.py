"""Time as an argument: the clock every time-driven component takes instead of calling time.time().

Owns: the `Clock` protocol, `SystemClock`, and `FakeClock` for tests.
Reads from: nothing.
Hands on: milliseconds since the epoch (Prometheus's timestamp unit) to scrape, tsdb, rules.
"""

from erpmon.clock._clock import Clock, FakeClock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]
