"""Simulated ERPGo customers, and attackers, over HTTP.

Visits arrive as a Poisson process whose rate follows a daily curve (busy afternoons, quiet
nights); `speed` compresses the day (speed 1440 plays a day in a minute). A visit signs in, browses
a few products, maybe orders, and sends a real-user-monitoring beacon; a back-office worker
completes (pays) or cancels pending orders. Scenarios change these probabilities or add an attacker
(`Simulator.inject`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import structlog

from erpmon.simulate._scenarios import SCENARIOS, Scenario

log = structlog.get_logger("erpmon.simulate")
DAY_S = 86_400.0


@dataclass
class Knobs:
    order: float = 1.0  # multiplies the chance that a visit orders
    complete: float = 1.0  # multiplies the chance a pending order is paid (else cancelled)
    slow_pages: float = 0.0  # 1.0: browsers report slow, shifting, failing pages


@dataclass
class Stats:
    visits: int = 0
    requests: int = 0
    errors: int = 0
    orders: int = 0
    attacks: int = 0
    active: list[str] = field(default_factory=list)


class Simulator:
    def __init__(
        self,
        base_url: str,
        *,
        fault_key: str,
        visits_per_s: float = 2.0,
        speed: float = 60.0,
        users: int = 30,
        seed: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.fault_key = fault_key
        self.visits_per_s = visits_per_s
        self.speed = speed
        self.rng = random.Random(seed)
        self.users = [f"customer{i}@erpgo.test" for i in range(users)]
        self.tokens: dict[str, str] = {}
        self.knobs = Knobs()
        self.stats = Stats()
        self.active: dict[str, Scenario] = {}
        self._attacks: dict[str, asyncio.Task[None]] = {}
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=10.0)
        self._started = time.monotonic()

    async def aclose(self) -> None:
        for task in self._attacks.values():
            task.cancel()
        await asyncio.gather(*self._attacks.values(), return_exceptions=True)
        await self._client.aclose()

    # -- the curve ----------------------------------------------------------------------------------

    def day_fraction(self) -> float:
        return ((time.monotonic() - self._started) * self.speed / DAY_S + 0.5) % 1.0  # start at noon

    def rate(self) -> float:
        """Visits per second now: a daily curve between 20 % (04:00) and 100 % (16:00)."""
        phase = 2 * math.pi * (self.day_fraction() - 16 / 24)
        return self.visits_per_s * (0.6 + 0.4 * math.cos(phase))

    # -- scenarios ---------------------------------------------------------------------------------

    async def inject(self, name: str) -> Scenario:
        scenario = SCENARIOS[name]
        self.active[name] = scenario
        await self._apply()
        if scenario.attack and scenario.attack not in self._attacks:
            self._attacks[scenario.attack] = asyncio.get_running_loop().create_task(
                self._attack(scenario.attack)
            )
        log.info("scenario injected", scenario=name, alerts=list(scenario.alerts))
        return scenario

    async def clear(self, name: str | None = None) -> None:
        names = [name] if name else list(self.active)
        for n in names:
            scenario = self.active.pop(n, None)
            if scenario is not None and scenario.attack in self._attacks:
                self._attacks.pop(scenario.attack).cancel()
        await self._apply()

    async def _apply(self) -> None:
        faults: dict[str, Any] = {}
        knobs = Knobs()
        for s in self.active.values():
            faults.update(s.faults)
            for k, v in s.traffic.items():
                setattr(knobs, k, v)
        self.knobs = knobs
        self.stats.active = sorted(self.active)
        resp = await self._client.put(
            "/api/v1/admin/faults", json=faults, headers={"X-Fault-Key": self.fault_key}
        )
        resp.raise_for_status()

    # -- customers ---------------------------------------------------------------------------------

    async def _req(self, method: str, path: str, **kw: Any) -> httpx.Response | None:
        self.stats.requests += 1
        try:
            resp = await self._client.request(method, path, **kw)
        except httpx.HTTPError:
            self.stats.errors += 1
            return None
        if resp.status_code >= 500:
            self.stats.errors += 1
        return resp

    async def _token(self, email: str) -> str | None:
        if email in self.tokens:
            return self.tokens[email]
        creds = {"email": email, "password": "customer-password"}
        await self._req("POST", "/api/v1/users", json=creds)
        resp = await self._req("POST", "/api/v1/auth/login", json=creds)
        if resp is None or resp.status_code != 200:
            return None
        self.tokens[email] = resp.json()["token"]
        return self.tokens[email]

    async def visit(self) -> None:
        self.stats.visits += 1
        email = self.rng.choice(self.users)
        token = await self._token(email)
        if token is None:
            return
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(self.rng.randint(1, 4)):
            await self._req("GET", f"/api/v1/products/{self.rng.randint(1, 8)}")
        if self.rng.random() < 0.25 * self.knobs.order:
            resp = await self._req(
                "POST",
                "/api/v1/orders",
                headers=auth,
                json={"product_id": self.rng.randint(1, 8), "quantity": self.rng.randint(1, 3)},
            )
            if resp is not None and resp.status_code == 201:
                self.stats.orders += 1
        slow = self.knobs.slow_pages
        beacon = {
            "page": self.rng.choice(["/", "/products", "/checkout"]),
            "load": self.rng.uniform(4, 9) if slow else self.rng.uniform(0.4, 1.8),
            "fcp": self.rng.uniform(0.5, 1.5),
            "lcp": self.rng.uniform(1.0, 2.2),
            "fid": self.rng.uniform(0.01, 0.08),
            "cls": self.rng.uniform(0.3, 0.6) if slow else self.rng.uniform(0.0, 0.08),
            "js_errors": self.rng.randint(2, 5) if slow else 0,
            "satisfaction": self.rng.choice([4, 5, 5]),
        }
        await self._req("POST", "/api/v1/rum", json=beacon)

    async def back_office(self) -> None:
        """Pays (completes) or cancels pending orders, as ERPGo's order processing would."""
        admin = await self._admin_token()
        if admin is None or self.knobs.complete == 0:
            return
        for email, token in list(self.tokens.items()):
            resp = await self._req("GET", "/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
            if resp is None or resp.status_code != 200:
                continue
            for order in resp.json():
                if order["status"] != "pending":
                    continue
                action = "complete" if self.rng.random() < 0.95 * self.knobs.complete else "cancel"
                await self._req(
                    "POST",
                    f"/api/v1/orders/{order['id']}/{action}",
                    headers={"Authorization": f"Bearer {token}"},
                )
            del email

    async def _admin_token(self) -> str | None:
        if "admin" not in self.tokens:
            resp = await self._req(
                "POST", "/api/v1/auth/login", json={"email": "admin@erpgo.test", "password": "admin-password"}
            )
            if resp is None or resp.status_code != 200:
                return None
            self.tokens["admin"] = resp.json()["token"]
        return self.tokens["admin"]

    # -- attackers ---------------------------------------------------------------------------------

    async def _attack(self, kind: str) -> None:
        victim = "admin@erpgo.test"
        forged = {"Authorization": "Bearer forged-token"}
        while True:
            self.stats.attacks += 1
            if kind == "brute_force":
                await self._req(
                    "POST",
                    "/api/v1/auth/login",
                    headers={"X-Forwarded-For": "203.0.113.66"},
                    json={"email": victim, "password": f"guess-{self.rng.random()}"},
                )
                victim = self.rng.choice(self.users)  # spread, so the lock-out does not end the attack
            elif kind == "authz_burst":
                token = await self._token(self.users[0])
                await self._req("GET", "/api/v1/users", headers={"Authorization": f"Bearer {token}"})
            elif kind == "api_abuse":
                await self._req("GET", "/api/v1/orders", headers=forged)
            await asyncio.sleep(0.02)

    # -- running ----------------------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        visits: set[asyncio.Task[None]] = set()
        last_office = 0.0
        try:
            while True:
                await asyncio.sleep(self.rng.expovariate(max(self.rate(), 0.01)))
                if len(visits) < 50:  # a slow ERPGo must not pile up unbounded visits
                    task = loop.create_task(self.visit())
                    visits.add(task)
                    task.add_done_callback(visits.discard)
                if time.monotonic() - last_office > 2.0:
                    last_office = time.monotonic()
                    with contextlib.suppress(Exception):
                        await self.back_office()
        finally:  # stopping the simulator stops its visits too, before the client closes
            for task in visits:
                task.cancel()
            await asyncio.gather(*visits, return_exceptions=True)

    def summary(self) -> dict[str, Any]:
        return {**asdict(self.stats), "visits_per_s_now": round(self.rate(), 2)}
