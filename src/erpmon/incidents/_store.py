"""Where incidents live: SQLite through SQLAlchemy Core, plus the append-only JSON-lines log.

Every change is one committed transaction (WAL journal, synchronous=FULL), so a SIGKILL loses
nothing that was reported done. The engine records a target as started before it acts and as done
after, which is how a restarted engine knows what not to repeat. The JSON-lines file is the
counterpart of the plan's incident-response.log: one line per timeline event, appended with one
write, for people and log shippers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("group_key", sa.Text, nullable=False, index=True),
    sa.Column("receiver", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # triggered, acknowledged, resolved
    sa.Column("labels", sa.JSON, nullable=False),  # the group's common labels
    sa.Column("alerts", sa.JSON, nullable=False),  # the alerts as last seen
    sa.Column("components", sa.JSON, nullable=False),
    sa.Column("opened_at", sa.BigInteger, nullable=False),
    sa.Column("acked_at", sa.BigInteger),
    sa.Column("acked_by", sa.Text),
    sa.Column("resolved_at", sa.BigInteger),
    sa.Column("resolved_by", sa.Text),
    sa.Column("policy", sa.Text),
    # The escalation: running, verifying, paused (a verification passed), acknowledged, done.
    sa.Column("escalation", sa.Text, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),  # the next step to run, or the one being verified
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("next_at", sa.BigInteger),  # when the next step runs
    sa.Column("verify_at", sa.BigInteger),
    sa.Column("respond_by", sa.BigInteger),
    sa.Column("resolve_by", sa.BigInteger),
    sa.Column("breaches", sa.JSON, nullable=False),  # the SLAs already counted as breached
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

target_runs = sa.Table(
    "target_runs",
    metadata,
    sa.Column("incident_id", sa.Integer, primary_key=True),
    sa.Column("round", sa.Integer, primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True),
    sa.Column("target", sa.Integer, primary_key=True),
    sa.Column("done", sa.Boolean, nullable=False),
)

action_runs = sa.Table(
    "action_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Index("action_runs_by_key", "action", "key", "at"),
)

impacts = sa.Table(
    "impacts",
    metadata,
    sa.Column("incident_id", sa.Integer, primary_key=True),
    sa.Column("component", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
)

manual_status = sa.Table(
    "manual_status",
    metadata,
    sa.Column("component", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
)

status_updates = sa.Table(
    "status_updates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("component", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("incident_id", sa.Integer),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
)


@dataclass
class Incident:
    id: int
    group_key: str
    receiver: str
    title: str
    severity: str
    state: str
    labels: dict[str, str]
    alerts: list[dict[str, Any]]
    components: list[str]
    opened_at: int
    acked_at: int | None
    acked_by: str | None
    resolved_at: int | None
    resolved_by: str | None
    policy: str | None
    escalation: str
    step: int
    round: int
    next_at: int | None
    verify_at: int | None
    respond_by: int | None
    resolve_by: int | None
    breaches: list[str]
    timeline: list[Event] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.state != "resolved"


@dataclass(frozen=True)
class Event:
    id: int
    incident_id: int
    at: int
    kind: str
    actor: str
    message: str
    data: Mapping[str, Any]


def _incident(row: Any) -> Incident:
    return Incident(**{c.name: getattr(row, c.name) for c in incidents.columns})


def _event(row: Any) -> Event:
    return Event(row.id, row.incident_id, row.at, row.kind, row.actor, row.message, row.data)


class IncidentStore:
    def __init__(self, path: str | None, log_path: str | None = None) -> None:
        """`path` None keeps everything in memory (tests of the parts that need no restart)."""
        if path is not None:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        url = f"sqlite:///{path}" if path is not None else "sqlite://"
        self.engine = sa.create_engine(url)

        @sa.event.listens_for(self.engine, "connect")
        def _pragmas(dbapi: Any, _: Any) -> None:
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        metadata.create_all(self.engine)
        self._log_fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if log_path else None

    def close(self) -> None:
        self.engine.dispose()
        if self._log_fd is not None:
            os.close(self._log_fd)
            self._log_fd = None

    def _tx(self) -> Any:
        return self.engine.begin()

    # -- incidents --------------------------------------------------------------------------------

    def create(self, values: Mapping[str, Any]) -> int:
        with self._tx() as c:
            result = c.execute(incidents.insert().values(**values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def update(self, incident_id: int, **values: Any) -> None:
        with self._tx() as c:
            c.execute(incidents.update().where(incidents.c.id == incident_id).values(**values))

    def get(self, incident_id: int, *, timeline: bool = True) -> Incident | None:
        with self.engine.connect() as c:
            row = c.execute(incidents.select().where(incidents.c.id == incident_id)).first()
            if row is None:
                return None
            inc = _incident(row)
            if timeline:
                inc.timeline = self._timeline(c, [incident_id]).get(incident_id, [])
            return inc

    def open_for_group(self, group_key: str) -> Incident | None:
        with self.engine.connect() as c:
            row = c.execute(
                incidents.select()
                .where(incidents.c.group_key == group_key, incidents.c.state != "resolved")
                .order_by(incidents.c.id.desc())
            ).first()
            return _incident(row) if row is not None else None

    def latest_for_group(self, group_key: str) -> Incident | None:
        with self.engine.connect() as c:
            row = c.execute(
                incidents.select().where(incidents.c.group_key == group_key).order_by(incidents.c.id.desc())
            ).first()
            return _incident(row) if row is not None else None

    def find(
        self, *, state: str | None = None, open_only: bool = False, limit: int = 200, timeline: bool = False
    ) -> list[Incident]:
        q = incidents.select().order_by(incidents.c.id.desc()).limit(limit)
        if state is not None:
            q = q.where(incidents.c.state == state)
        if open_only:
            q = q.where(incidents.c.state != "resolved")
        with self.engine.connect() as c:
            out = [_incident(r) for r in c.execute(q)]
            if timeline and out:
                by_id = self._timeline(c, [i.id for i in out])
                for inc in out:
                    inc.timeline = by_id.get(inc.id, [])
            return out

    def due_times(self) -> list[tuple[int, int]]:
        """(id, earliest due time) of each open incident with anything pending: its next step, its
        verification, or an SLA deadline not yet breached (the response one only until acked)."""
        c_ = incidents.c
        q = sa.select(
            c_.id, c_.next_at, c_.verify_at, c_.respond_by, c_.resolve_by, c_.acked_at, c_.breaches
        ).where(c_.state != "resolved")
        out: list[tuple[int, int]] = []
        with self.engine.connect() as c:
            for r in c.execute(q):
                times = [t for t in (r.next_at, r.verify_at) if t is not None]
                if r.respond_by is not None and r.acked_at is None and "respond" not in r.breaches:
                    times.append(r.respond_by)
                if r.resolve_by is not None and "resolve" not in r.breaches:
                    times.append(r.resolve_by)
                if times:
                    out.append((int(r.id), min(times)))
        return out

    def counts_by_state(self) -> dict[str, int]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(incidents.c.state, sa.func.count()).group_by(incidents.c.state))
            return {state: int(n) for state, n in rows}

    def _timeline(self, c: Connection, ids: Sequence[int]) -> dict[int, list[Event]]:
        out: dict[int, list[Event]] = {}
        q = events.select().where(events.c.incident_id.in_(ids)).order_by(events.c.id)
        for row in c.execute(q):
            out.setdefault(row.incident_id, []).append(_event(row))
        return out

    # -- the timeline -----------------------------------------------------------------------------

    def event(
        self, incident_id: int, at: int, kind: str, message: str, *, actor: str = "erpmon", **data: Any
    ) -> None:
        with self._tx() as c:
            c.execute(
                events.insert().values(
                    incident_id=incident_id, at=at, kind=kind, actor=actor, message=message, data=data
                )
            )
        if self._log_fd is not None:
            line = {
                "ts": at,
                "incident": incident_id,
                "kind": kind,
                "actor": actor,
                "message": message,
                **data,
            }
            os.write(self._log_fd, (json.dumps(line, default=str, sort_keys=False) + "\n").encode())

    # -- at-most-once targets ---------------------------------------------------------------------

    def target_state(self, incident_id: int, rnd: int, step: int, target: int) -> bool | None:
        """None: never started; False: started but not finished (interrupted); True: done."""
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(target_runs.c.done).where(
                    target_runs.c.incident_id == incident_id,
                    target_runs.c.round == rnd,
                    target_runs.c.step == step,
                    target_runs.c.target == target,
                )
            ).first()
            return None if row is None else bool(row.done)

    def mark_target(self, incident_id: int, rnd: int, step: int, target: int, *, done: bool) -> None:
        with self._tx() as c:
            key = {"incident_id": incident_id, "round": rnd, "step": step, "target": target}
            stmt = sqlite_insert(target_runs).values(**key, done=done)
            c.execute(stmt.on_conflict_do_update(index_elements=list(key), set_={"done": done}))

    # -- cooldowns and rate limits ----------------------------------------------------------------

    def action_runs_since(self, action: str, key: str, since: int) -> list[int]:
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(action_runs.c.at)
                .where(action_runs.c.action == action, action_runs.c.key == key, action_runs.c.at > since)
                .order_by(action_runs.c.at)
            )
            return [int(r.at) for r in rows]

    def record_action_run(self, action: str, key: str, at: int) -> None:
        with self._tx() as c:
            c.execute(action_runs.insert().values(action=action, key=key, at=at))

    # -- the status page --------------------------------------------------------------------------

    def set_impact(self, incident_id: int, component: str, status: str, at: int, message: str) -> None:
        with self._tx() as c:
            c.execute(
                impacts.delete().where(impacts.c.incident_id == incident_id, impacts.c.component == component)
            )
            c.execute(
                impacts.insert().values(incident_id=incident_id, component=component, status=status, at=at)
            )
            c.execute(
                status_updates.insert().values(
                    at=at,
                    component=component,
                    status=status,
                    incident_id=incident_id,
                    message=message,
                    by="erpmon",
                )
            )

    def clear_impacts(self, incident_id: int, at: int, message: str) -> list[str]:
        with self._tx() as c:
            rows = list(c.execute(sa.select(impacts.c.component).where(impacts.c.incident_id == incident_id)))
            c.execute(impacts.delete().where(impacts.c.incident_id == incident_id))
            for r in rows:
                c.execute(
                    status_updates.insert().values(
                        at=at,
                        component=r.component,
                        status="operational",
                        incident_id=incident_id,
                        message=message,
                        by="erpmon",
                    )
                )
            return [r.component for r in rows]

    def active_impacts(self) -> list[tuple[int, str, str, int]]:
        q = (
            sa.select(impacts.c.incident_id, impacts.c.component, impacts.c.status, impacts.c.at)
            .join(incidents, incidents.c.id == impacts.c.incident_id)
            .where(incidents.c.state != "resolved")
        )
        with self.engine.connect() as c:
            return [(r.incident_id, r.component, r.status, int(r.at)) for r in c.execute(q)]

    def set_manual(self, component: str, status: str, message: str, by: str, at: int) -> None:
        with self._tx() as c:
            c.execute(manual_status.delete().where(manual_status.c.component == component))
            if status != "operational":
                c.execute(
                    manual_status.insert().values(
                        component=component, status=status, message=message, by=by, at=at
                    )
                )
            c.execute(
                status_updates.insert().values(
                    at=at, component=component, status=status, message=message, by=by
                )
            )

    def manual(self) -> dict[str, tuple[str, str, int]]:
        with self.engine.connect() as c:
            return {r.component: (r.status, r.message, int(r.at)) for r in c.execute(manual_status.select())}

    def status_updates(self, limit: int = 50) -> Iterator[Any]:
        with self.engine.connect() as c:
            yield from c.execute(status_updates.select().order_by(status_updates.c.id.desc()).limit(limit))
