"""Running the real `erpmon` executable as a subprocess."""

from tests.support import Server, start_erpmon

__all__ = ["Server", "start_erpmon"]
