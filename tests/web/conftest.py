from tests.support import start_erpmon

__all__ = ["start_erpmon"]
