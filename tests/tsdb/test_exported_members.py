"""The public surface of erpmon.tsdb is what __all__ says, and nothing private leaks."""

from __future__ import annotations

import erpmon.tsdb


def test_exported_members():
    exported = set(erpmon.tsdb.__all__)
    public = {n for n in dir(erpmon.tsdb) if not n.startswith("_")}
    assert exported == public - {"annotations"}
    for name in exported:
        assert getattr(erpmon.tsdb, name).__module__.startswith("erpmon.tsdb._")
