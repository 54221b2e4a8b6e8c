"""The reference ERPGo service: what the demo, the simulator and the end-to-end tests run against.

Owns: a small, real ERP (users with sign-in and lock-out, products with a cache, orders with
values and states; FastAPI + SQLAlchemy, SQLite by default, PostgreSQL by URL), the seeds'
endpoints (health, users, products, orders, admin metrics, /metrics) and `Faults` the simulator
switches on.
Reads from: `erpmon.instrument` only, for every metric, log line and span.
Hands on: an ASGI app (`create_app`) to uvicorn.
"""

from erpmon.erpgo._app import EXTERNAL, ERPGo, Faults, check_password, create_app, hash_password

__all__ = ["EXTERNAL", "ERPGo", "Faults", "check_password", "create_app", "hash_password"]
