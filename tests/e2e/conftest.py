"""End-to-end: the real `erpmon up` against real local targets."""

from tests.support import start_erpmon

__all__ = ["start_erpmon"]
