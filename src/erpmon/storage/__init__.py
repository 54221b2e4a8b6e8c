"""The hand-off protocols between stages: who writes samples and who reads them.

Owns: `Appender` / `Appendable` (write side), `Querier` / `Queryable` (read side), `Series`
(one series' samples as numpy arrays), and the append errors.
Reads from: erpmon.model.
Hands on: scrape and rules write through `Appendable`; promql, the web API and the tsdb
CLI read through `Queryable`. The embedded tsdb implements both; remote storage will too.
"""

from erpmon.storage._interface import (
    Appendable,
    Appender,
    AppendError,
    AppendStats,
    DuplicateSampleError,
    OutOfOrderSampleError,
    Querier,
    Queryable,
    Series,
    SeriesRef,
    TooOldSampleError,
)

__all__ = [
    "AppendError",
    "AppendStats",
    "Appendable",
    "Appender",
    "DuplicateSampleError",
    "OutOfOrderSampleError",
    "Querier",
    "Queryable",
    "Series",
    "SeriesRef",
    "TooOldSampleError",
]
