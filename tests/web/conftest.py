from tests.incidents.conftest import smtp_inbox, world
from tests.support import start_erpmon

__all__ = ["smtp_inbox", "start_erpmon", "world"]
