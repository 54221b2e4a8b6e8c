"""The reference ERPGo: a small, real FastAPI + SQLAlchemy service, instrumented only through
`erpmon.instrument`, with the seeds' endpoints and switchable faults for the simulator.

Users sign up and sign in (scrypt-hashed passwords, bearer tokens, a 15-minute lock-out after 5
failed attempts); products are cached in memory; orders are created, completed (paid) or
cancelled. Gauges that come from the database (pending orders, active users...) are refreshed
every few seconds. `Faults` (set through `PUT /api/v1/admin/faults` with the fault key) make the
service fail the ways the pack's alerts describe: errors, latency, an outage, slow queries, a
saturated pool, a cache that misses, external services down, memory growth.
"""

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import os
import random
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DBSession
from sqlalchemy.orm import sessionmaker
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from erpmon.erpgo._models import Base, Order, Product, Session, User, utcnow
from erpmon.instrument import ERPGoMetrics, ERPGoMiddleware, bind_user, instrument_engine

EXTERNAL = ("payment-gateway", "email-service", "sms-service")
LOCKOUT_AFTER = 5
LOCKOUT_FOR = dt.timedelta(minutes=15)
SESSION_FOR = dt.timedelta(hours=8)
RATE_LIMIT_PER_S = 50
REFRESH_S = 5.0


@dataclass
class Faults:
    error_rate: float = 0.0  # share of API requests answered 500
    latency_s: float = 0.0  # added to every API request
    down: bool = False  # everything answers 503, /metrics included (the scrape fails: up == 0)
    slow_queries_s: float = 0.0  # added inside every database query
    hold_connections: int = 0  # pool connections held out of use (saturation)
    cache_disabled: bool = False  # every cache lookup misses
    unhealthy: list[str] = field(default_factory=list)  # external services reported down
    leak_mb_per_s: float = 0.0  # memory growth


def _sql_sleep(seconds: float) -> int:
    time.sleep(float(seconds))
    return 0


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    candidate = hash_password(password, bytes.fromhex(salt)).split("$")[2]
    return hmac.compare_digest(candidate, digest)


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=200)
    password: str = Field(min_length=6, max_length=200)


class NewProduct(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    price: float = Field(gt=0)
    stock: int = Field(ge=0, default=100)


class NewOrder(BaseModel):
    product_id: int
    quantity: int = Field(ge=1, le=100, default=1)


class Beacon(BaseModel):
    page: str = Field(max_length=100)
    load: float | None = None
    fcp: float | None = None
    lcp: float | None = None
    fid: float | None = None
    cls: float | None = None
    js_errors: int = 0
    satisfaction: float | None = Field(default=None, ge=1, le=5)


class _FaultInjector:
    """Applies the faults to API requests (inside the metrics middleware, so they are measured)."""

    def __init__(self, app: ASGIApp, state: "ERPGo") -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.state.faults
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/api/v1/admin/faults"):
            await self.app(scope, receive, send)
            return
        if faults.down:
            await JSONResponse({"status": "unavailable"}, status_code=503)(scope, receive, send)
            return
        if path.startswith("/api/") and faults.latency_s:
            await asyncio.sleep(faults.latency_s)
        if path.startswith("/api/") and faults.error_rate and random.random() < faults.error_rate:
            await JSONResponse({"error": "internal error"}, status_code=500)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ERPGo:
    """One service instance: its database, cache, metrics and faults."""

    def __init__(self, database_url: str = "sqlite:///erpgo.db", *, fault_key: str = "", pool_size: int = 10):
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.metrics = ERPGoMetrics(self.registry)
        kw: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 5}
        if database_url.startswith("sqlite"):
            kw["connect_args"] = {"check_same_thread": False}
            kw["poolclass"] = sa.pool.QueuePool
        self.engine = sa.create_engine(database_url, **kw)
        if self.engine.dialect.name == "sqlite":

            @sa.event.listens_for(self.engine, "connect")
            def _sleep_function(dbapi: Any, _: Any) -> None:
                dbapi.create_function("erpgo_sleep", 1, _sql_sleep)

        instrument_engine(self.engine, self.metrics)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.faults = Faults()
        self.fault_key = fault_key or secrets.token_hex(16)
        self.cache: dict[int, dict[str, Any]] = {}
        self._held: list[Any] = []
        self._leak: list[bytearray] = []
        self._rates: dict[str, tuple[float, int]] = {}
        self._seed()

    def _seed(self) -> None:
        with self.sessions.begin() as db:
            if db.scalar(sa.select(sa.func.count(Product.id))):
                return
            for i, (name, price) in enumerate(
                [("Laptop", 1199.0), ("Monitor", 249.0), ("Keyboard", 79.0), ("Mouse", 29.0), ("Desk", 399.0),
                 ("Chair", 289.0), ("Headset", 149.0), ("Dock", 219.0)]
            ):  # fmt: skip
                db.add(Product(id=i + 1, name=name, price=price, stock=1000))
            db.add(
                User(email="admin@erpgo.test", password_hash=hash_password("admin-password"), role="admin")
            )

    # -- the database and its faults ---------------------------------------------------------------

    @contextlib.contextmanager
    def db(self) -> Iterator[DBSession]:
        with self.sessions.begin() as session:
            if self.faults.slow_queries_s:
                # A slow statement, measured as one by the query metrics (not a pause beside it).
                sleep = "pg_sleep" if self.engine.dialect.name == "postgresql" else "erpgo_sleep"
                session.execute(sa.text(f"SELECT {sleep}(:s)"), {"s": self.faults.slow_queries_s})
            yield session

    def apply_faults(self, faults: Faults) -> None:
        self.faults = faults
        released = len(self._held) > faults.hold_connections
        while len(self._held) > faults.hold_connections:
            self._held.pop().close()
        if released:
            # The pool would keep the released connections open and idle; close them, as a
            # database/sql pool trims idle connections, so the open count falls back.
            self.engine.pool.dispose()
        while len(self._held) < faults.hold_connections:
            try:
                self._held.append(self.engine.connect())
            except sa.exc.TimeoutError:
                break
        if not faults.leak_mb_per_s:
            self._leak.clear()

    def refresh_gauges(self) -> None:
        """The gauges read from the database (the same on every replica)."""
        now = utcnow()
        with self.sessions() as db:
            by_status = dict(
                db.execute(sa.select(Order.status, sa.func.count()).group_by(Order.status)).all()
            )
            active = db.scalar(
                sa.select(sa.func.count(sa.distinct(Session.user_id))).where(Session.expires_at > now)
            )
            seen_30d = db.scalar(
                sa.select(sa.func.count(User.id)).where(User.last_seen_at > now - dt.timedelta(days=30))
            )
            registered = db.scalar(sa.select(sa.func.count(User.id)))
            sessions = db.scalar(
                sa.select(sa.func.count()).select_from(Session).where(Session.expires_at > now)
            )
            anomalous = db.scalar(
                sa.select(sa.func.count(User.id)).where(User.failed_logins >= LOCKOUT_AFTER)
            )
        self.metrics.set_database_state(
            orders_pending=by_status.get("pending", 0),
            orders_by_status=[(s, by_status.get(s, 0)) for s in ("pending", "completed", "cancelled")],
            users_active=active or 0, users_active_30d=seen_30d or 0, users_registered=registered or 0,
            sessions_active=sessions or 0, users_anomalous=anomalous or 0,
        )  # fmt: skip

    async def background(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a locked or slow database must not end the loop
                await asyncio.to_thread(self.refresh_gauges)
            if self.faults.leak_mb_per_s:
                self._leak.append(bytearray(int(self.faults.leak_mb_per_s * REFRESH_S * 1024 * 1024)))
            await asyncio.sleep(REFRESH_S)

    def rate_limited(self, key: str) -> bool:
        now = time.monotonic()
        start, count = self._rates.get(key, (now, 0))
        if now - start >= 1.0:
            start, count = now, 0
        self._rates[key] = (start, count + 1)
        if len(self._rates) > 10_000:
            self._rates.clear()
        return count + 1 > RATE_LIMIT_PER_S


def client_ip(request: Request) -> str:
    forwarded = request.headers.get("x-forwarded-for", "")
    return forwarded.split(",")[0].strip() or (request.client.host if request.client else "unknown")


def create_app(erpgo: ERPGo) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(erpgo.background())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            erpgo.apply_faults(Faults())
            erpgo.engine.dispose()

    app = FastAPI(title="ERPGo (reference)", lifespan=lifespan)
    m = erpgo.metrics

    def current_user(request: Request) -> User:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if not token:
            raise HTTPException(401, "sign in first")
        if erpgo.rate_limited(token):
            m.api_abuse_rejected("rate_limit")
            raise HTTPException(429, "too many requests")
        with erpgo.db() as db:
            session = db.get(Session, token)
            if session is None or session.expires_at < utcnow():
                m.api_abuse_rejected("invalid_token")
                raise HTTPException(401, "invalid or expired token")
            user = db.get(User, session.user_id)
            assert user is not None
            user.last_seen_at = utcnow()
        bind_user(user.id)
        return user

    CurrentUser = Annotated[User, Depends(current_user)]

    def admin(request: Request, user: CurrentUser) -> User:
        if user.role != "admin":
            parts = request.url.path.split("/")
            m.authz_denied(parts[3] if len(parts) > 3 else "admin", request.method.lower())
            raise HTTPException(403, "admins only")
        return user

    AdminUser = Annotated[User, Depends(admin)]

    # -- health --------------------------------------------------------------------------------

    @app.get("/health")
    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "healthy"}

    @app.get("/api/v1/health/db")
    def health_db() -> JSONResponse:
        try:
            with erpgo.db() as db:
                db.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as err:
            return JSONResponse({"status": "unhealthy", "error": type(err).__name__}, status_code=503)
        return JSONResponse({"status": "healthy"})

    @app.get("/api/v1/health/cache")
    def health_cache() -> dict[str, Any]:
        return {
            "status": "degraded" if erpgo.faults.cache_disabled else "healthy",
            "entries": len(erpgo.cache),
        }

    @app.get("/api/v1/health/external/{service}")
    def health_external(service: str) -> JSONResponse:
        if service not in EXTERNAL:
            raise HTTPException(404, f"unknown service {service!r}")
        down = service in erpgo.faults.unhealthy
        return JSONResponse({"status": "unhealthy" if down else "healthy"}, status_code=503 if down else 200)

    # -- users and sign-in ----------------------------------------------------------------------

    @app.post("/api/v1/users", status_code=201)
    def register(body: Credentials) -> dict[str, Any]:
        with erpgo.db() as db:
            if db.scalar(sa.select(User.id).where(User.email == body.email)) is not None:
                raise HTTPException(409, "email already registered")
            user = User(email=body.email, password_hash=hash_password(body.password))
            db.add(user)
            db.flush()
        m.user_registered()
        m.user_action("register")
        return {"id": user.id, "email": user.email}

    @app.get("/api/v1/users")
    def list_users(_: AdminUser) -> list[dict[str, Any]]:
        with erpgo.db() as db:
            return [
                {"id": u.id, "email": u.email, "role": u.role} for u in db.scalars(sa.select(User).limit(100))
            ]

    @app.post("/api/v1/auth/login")
    def login(body: Credentials, request: Request) -> dict[str, Any]:
        ip = client_ip(request)
        now = utcnow()
        refused: tuple[int, str] | None = None
        # The failure is committed before the request is refused: raising inside the transaction
        # would roll the failed-attempt count back, and nobody would ever be locked out.
        with erpgo.db() as db:
            user = db.scalar(sa.select(User).where(User.email == body.email))
            if user is not None and user.locked_until is not None and user.locked_until > now:
                refused = (423, "account locked; try again later")
            elif user is None or not check_password(body.password, user.password_hash):
                refused = (401, "wrong email or password")
                if user is not None:
                    user.failed_logins += 1
                    if user.failed_logins == LOCKOUT_AFTER:
                        user.locked_until = now + LOCKOUT_FOR
                        m.security_event("account_locked")
                        m.suspicious_activity("brute_force")
            else:
                user.failed_logins, user.locked_until, user.last_seen_at = 0, None, now
                token = secrets.token_urlsafe(32)
                db.add(Session(token=token, user_id=user.id, expires_at=now + SESSION_FOR))
        if refused is not None:
            m.auth_attempt(success=False, ip=ip)
            raise HTTPException(*refused)
        assert user is not None
        m.auth_attempt(success=True, ip=ip)
        m.session_started()
        bind_user(user.id)
        return {"token": token, "expires_in": int(SESSION_FOR.total_seconds())}

    # -- products -------------------------------------------------------------------------------

    def product_json(product_id: int) -> dict[str, Any]:
        cached = None if erpgo.faults.cache_disabled else erpgo.cache.get(product_id)
        m.cache_lookup(hit=cached is not None)
        if cached is not None:
            return cached
        with erpgo.db() as db:
            p = db.get(Product, product_id)
            if p is None:
                raise HTTPException(404, "no such product")
            data = {"id": p.id, "name": p.name, "price": p.price, "stock": p.stock}
        if not erpgo.faults.cache_disabled:
            erpgo.cache[product_id] = data
        return data

    @app.get("/api/v1/products")
    def list_products() -> list[dict[str, Any]]:
        with erpgo.db() as db:
            ids = list(db.scalars(sa.select(Product.id).order_by(Product.id).limit(100)))
        return [product_json(i) for i in ids]

    @app.get("/api/v1/products/{product_id}")
    def get_product(product_id: int) -> dict[str, Any]:
        data = product_json(product_id)
        m.product_viewed()
        m.user_action("view_product")
        return data

    @app.post("/api/v1/products", status_code=201)
    def create_product(body: NewProduct, _: AdminUser) -> dict[str, Any]:
        with erpgo.db() as db:
            p = Product(name=body.name, price=body.price, stock=body.stock)
            db.add(p)
            db.flush()
        return {"id": p.id, "name": p.name, "price": p.price}

    # -- orders ---------------------------------------------------------------------------------

    def order_json(o: Order) -> dict[str, Any]:
        return {
            "id": o.id,
            "product_id": o.product_id,
            "quantity": o.quantity,
            "value": o.value,
            "status": o.status,
        }

    @app.get("/api/v1/orders")
    def list_orders(user: CurrentUser) -> list[dict[str, Any]]:
        with erpgo.db() as db:
            q = sa.select(Order).where(Order.user_id == user.id).order_by(Order.id.desc()).limit(50)
            return [order_json(o) for o in db.scalars(q)]

    @app.post("/api/v1/orders", status_code=201)
    def create_order(body: NewOrder, user: CurrentUser) -> dict[str, Any]:
        with erpgo.db() as db:
            p = db.get(Product, body.product_id)
            if p is None:
                raise HTTPException(404, "no such product")
            o = Order(user_id=user.id, product_id=p.id, quantity=body.quantity, value=p.price * body.quantity)
            db.add(o)
            db.flush()
            data = order_json(o)
        m.order_created(data["value"])
        m.user_action("create_order")
        return data

    def transition(order_id: int, user: User, to: str) -> dict[str, Any]:
        with erpgo.db() as db:
            o = db.get(Order, order_id)
            if o is None or (o.user_id != user.id and user.role != "admin"):
                raise HTTPException(404, "no such order")
            if o.status != "pending":
                raise HTTPException(409, f"order is {o.status}")
            o.status = to
            if to == "completed":
                o.completed_at = utcnow()
            data = order_json(o)
        if to == "completed":
            m.order_completed()
            m.payment_received(data["value"])
        else:
            m.order_cancelled()
        return data

    @app.post("/api/v1/orders/{order_id}/complete")
    def complete_order(order_id: int, user: CurrentUser) -> dict[str, Any]:
        return transition(order_id, user, "completed")

    @app.post("/api/v1/orders/{order_id}/cancel")
    def cancel_order(order_id: int, user: CurrentUser) -> dict[str, Any]:
        return transition(order_id, user, "cancelled")

    # -- admin metrics and real-user monitoring --------------------------------------------------

    @app.get("/api/v1/admin/metrics/users")
    def admin_users(_: AdminUser) -> dict[str, Any]:
        with erpgo.db() as db:
            count = sa.select(sa.func.count(User.id))
            return {
                "registered": db.scalar(count),
                "locked": db.scalar(count.where(User.locked_until > utcnow())),
            }

    @app.get("/api/v1/admin/metrics/orders")
    def admin_orders(_: AdminUser) -> dict[str, Any]:
        with erpgo.db() as db:
            return dict(db.execute(sa.select(Order.status, sa.func.count()).group_by(Order.status)).all())

    @app.get("/api/v1/admin/metrics/revenue")
    def admin_revenue(_: AdminUser) -> dict[str, Any]:
        with erpgo.db() as db:
            total = db.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Order.value), 0.0)).where(Order.status == "completed")
            )
        return {"revenue": total}

    @app.post("/api/v1/rum", status_code=204)
    def rum(beacon: Beacon) -> Response:
        m.page_view(
            beacon.page, load=beacon.load, fcp=beacon.fcp, lcp=beacon.lcp, fid=beacon.fid, cls=beacon.cls
        )
        for _ in range(min(beacon.js_errors, 100)):
            m.js_error(beacon.page)
        if beacon.satisfaction is not None:
            m.satisfaction_rating(beacon.satisfaction)
        return Response(status_code=204)

    # -- faults and metrics -----------------------------------------------------------------------

    @app.get("/api/v1/admin/faults")
    def get_faults() -> dict[str, Any]:
        return asdict(erpgo.faults)

    @app.put("/api/v1/admin/faults")
    async def put_faults(request: Request) -> dict[str, Any]:
        if not hmac.compare_digest(request.headers.get("x-fault-key", ""), erpgo.fault_key):
            raise HTTPException(403, "a valid X-Fault-Key is required")
        try:
            faults = Faults(**(await request.json()))
        except (TypeError, ValueError) as err:
            raise HTTPException(400, f"bad faults: {err}") from err
        await asyncio.to_thread(erpgo.apply_faults, faults)
        return asdict(faults)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(erpgo.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(_FaultInjector, state=erpgo)
    app.add_middleware(ERPGoMiddleware, metrics=m, trace_requests=False)
    return app
