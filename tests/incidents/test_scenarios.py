"""The plan's incident path end to end with a fake clock: Level 1 remediation (a real subprocess),
verification against the real PromQL engine, Level 2 to the on-call person over real SMTP and a
real webhook, Level 3 to management and the status page, resolution; and its variants."""

from __future__ import annotations

import socket

import pytest
from tests.incidents.conftest import World

from erpmon.health import HealthRunner, parse_checks_config
from erpmon.incidents import IncidentEngine


def kinds(engine: IncidentEngine, incident_id: int) -> list[str]:
    inc = engine.store.get(incident_id)
    assert inc is not None
    return [e.kind for e in inc.timeline]


def component(engine: IncidentEngine, name: str) -> str:
    return next(c["status"] for c in engine.component_states() if c["name"] == name)


async def test_the_full_path(world: World) -> None:
    engine = world.start_engine()
    world.write_up(0)
    world.flush(engine, world.alert("APIDown"))
    [inc] = engine.store.find()
    assert (inc.state, inc.severity, inc.policy) == ("triggered", "critical", "erpgo")
    assert inc.respond_by == inc.opened_at + 15 * 60_000  # the severity table: critical, 15 min

    # Level 1 runs at once: the remediation picked by the alert's type, a real subprocess.
    await world.advance(engine, 0)
    assert (world.dir / "restarts").read_text() == "api\n"
    action = next(e for e in engine.store.get(inc.id).timeline if e.kind == "action")  # type: ignore[union-attr]
    assert action.data["exit_code"] == 0 and action.data["request"]["argv"][-1] == "api"
    assert not world.inbox.messages

    # 30 s later the verification re-evaluates `erpgo_up == 0`: still failing, so Level 2.
    world.write_up(0)
    await world.advance(engine, 29)
    assert not world.inbox.messages
    await world.advance(engine, 1)
    verification = next(e for e in engine.store.get(inc.id).timeline if e.kind == "verification")  # type: ignore[union-attr]
    assert verification.data["persists"] is True
    [mail] = world.inbox.to("alice@example.com")
    assert "Incident #1" in mail["Subject"] and "[CRITICAL]" in mail["Subject"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Acknowledge: http://erpmon.test:9090/incidents/1/ack?by=alice&sig=" in text
    [hook] = world.hook_bodies("alice/1")
    assert hook["incident"]["id"] == 1 and hook["incident"]["step"] == "Level 2: on-call engineer"
    assert hook["alerts"][0]["labels"]["alertname"] == "APIDown"
    assert len(world.hook_bodies("oncall-channel")) == 1
    assert not world.inbox.to("carol@example.com")

    # Nobody acknowledges within 15 min: the breach escalates to Level 3 at once.
    await world.advance(engine, 14 * 60)
    assert not world.inbox.to("carol@example.com")
    await world.advance(engine, 60)
    [manager_mail] = world.inbox.to("carol@example.com")
    assert "Incident #1" in manager_mail["Subject"]
    assert world.hook_bodies("carol/1")[0]["incident"]["step"] == "Level 3: management"
    assert component(engine, "API") == "degraded_performance"
    assert component(engine, "Database") == "operational"
    inc = engine.store.get(inc.id)  # type: ignore[assignment]
    assert inc.breaches == ["respond"] and inc.escalation == "done"

    # The alert resolves: so does the incident, and the status page recovers.
    world.write_up(1)
    world.flush(engine, world.alert("APIDown", resolved=True))
    inc = engine.store.get(inc.id)  # type: ignore[assignment]
    assert (inc.state, inc.resolved_by) == ("resolved", "alerts")
    assert component(engine, "API") == "operational"
    assert kinds(engine, inc.id) == [
        "opened", "escalation", "action", "verification", "escalation", "notification", "notification",
        "notification", "sla_breach", "escalation", "notification", "notification", "status_page",
        "escalation", "resolved", "status_page",
    ]  # fmt: skip
    notified = [(e.data["person"], e.data["channel"]) for e in inc.timeline if e.kind == "notification"]
    assert notified == [
        ("alice", "email"), ("alice", "webhook"), ("channel", "webhook"),
        ("carol", "email"), ("carol", "webhook"),
    ]  # fmt: skip
    # The incident-response.log counterpart has one line per timeline event.
    lines = (world.dir / "incident-response.log").read_text().splitlines()
    assert len(lines) == len(inc.timeline)


async def test_acknowledgement_stops_the_escalation(world: World) -> None:
    engine = world.start_engine()
    world.write_up(0)
    world.flush(engine, world.alert("APIDown"))
    await world.advance(engine, 30)
    assert len(world.inbox.to("alice@example.com")) == 1
    await world.advance(engine, 5 * 60)
    inc = engine.acknowledge(1, "alice")
    assert inc.state == "acknowledged" and inc.acked_by == "alice"
    await world.advance(engine, 2 * 3600)
    assert not world.inbox.to("carol@example.com")
    assert component(engine, "API") == "operational"
    assert engine.store.get(1).breaches == []  # type: ignore[union-attr]
    ack = [e for e in engine.store.get(1).timeline if e.kind == "acknowledged"]  # type: ignore[union-attr]
    assert ack[0].actor == "alice"
    ttack = engine.metrics.time_to_ack.labels("critical")
    assert ttack._sum.get() == 5 * 60 + 30


async def test_level_1_fixes_the_problem_so_there_is_no_level_2(world: World) -> None:
    engine = world.start_engine()
    world.flush(engine, world.alert("FixableDown"))
    await world.advance(engine, 30)
    assert (world.dir / "fixed").exists()
    inc = engine.store.get(1)
    assert inc is not None and inc.escalation == "paused"
    verification = next(e for e in inc.timeline if e.kind == "verification")
    assert verification.data["persists"] is False
    await world.advance(engine, 10 * 60)
    assert not world.inbox.messages and not world.hooks.bodies
    world.flush(engine, world.alert("FixableDown", resolved=True))
    assert engine.store.get(1).state == "resolved"  # type: ignore[union-attr]


async def test_the_cooldown_prevents_a_restart_loop(world: World) -> None:
    engine = world.start_engine()
    world.write_up(0)
    for _ in range(3):  # the alert flaps: fires, resolves, fires again within the 10 min cooldown
        world.flush(engine, world.alert("APIDown"))
        await world.advance(engine, 1)
        world.flush(engine, world.alert("APIDown", resolved=True))
        await world.advance(engine, 60)
    assert [i.state for i in engine.store.find()] == ["resolved"] * 3
    assert (world.dir / "restarts").read_text() == "api\n"
    skipped = [e for i in engine.store.find(timeline=True) for e in i.timeline if e.kind == "action"]
    assert [e.data["skipped"] for e in skipped] == ["cooldown", "cooldown", ""]  # newest first
    await world.advance(engine, 10 * 60)
    world.flush(engine, world.alert("APIDown"))
    await world.advance(engine, 1)
    assert (world.dir / "restarts").read_text() == "api\napi\n"


async def test_a_hanging_action_is_killed_and_escalation_goes_on(world: World) -> None:
    engine = world.start_engine()
    world.flush(engine, world.alert("HangingDown"))
    await world.advance(engine, 0)
    inc = engine.store.get(1)
    assert inc is not None
    action = next(e for e in inc.timeline if e.kind == "action")
    assert action.data["ok"] is False and "killed after its timeout of 1s" in action.data["error"]
    assert len(world.inbox.to("alice@example.com")) == 1


async def test_a_restart_mid_incident_resumes_without_repeating(world: World) -> None:
    engine = world.start_engine()
    world.write_up(0)
    world.flush(engine, world.alert("APIDown"))
    await world.advance(engine, 0)  # Level 1 done, verification pending
    # A crash: the engine is dropped without any shutdown; its store was committed as it went.
    world.clock.advance(45 * 1000)
    restarted = world.start_engine()
    await world.advance(restarted, 0)
    assert (world.dir / "restarts").read_text() == "api\n"  # Level 1 is not run again
    assert len(world.inbox.to("alice@example.com")) == 1  # the overdue verification led to Level 2
    # Another crash, this time in the middle of Level 3: its first target (notify management) was
    # started and never finished. The next engine records it as interrupted and does not repeat it.
    inc = restarted.store.get(1)
    assert inc is not None and inc.step == 2
    restarted.store.mark_target(1, inc.round, 2, 0, done=False)
    third = world.start_engine()
    await world.advance(third, 15 * 60)
    assert not world.inbox.to("carol@example.com")
    assert component(third, "API") == "degraded_performance"
    inc = third.store.get(1)
    assert inc is not None
    timeline = [e.kind for e in inc.timeline]
    assert timeline.count("action") == 1 and timeline.count("verification") == 1
    assert timeline.count("interrupted") == 1 and timeline.count("escalation") == 4  # L1-L3, exhausted


async def test_a_policy_repeats_then_stops(world: World) -> None:
    engine = world.start_engine()
    world.flush(engine, world.alert("RepeatDown", severity="high"))  # respond within 1 h
    await world.advance(engine, 0)
    assert (len(world.inbox.to("alice@example.com")), len(world.inbox.to("carol@example.com"))) == (1, 0)
    await world.advance(engine, 5 * 60)
    assert (len(world.inbox.to("alice@example.com")), len(world.inbox.to("carol@example.com"))) == (1, 1)
    await world.advance(engine, 5 * 60)  # the second round starts 5 min after the last step
    assert (len(world.inbox.to("alice@example.com")), len(world.inbox.to("carol@example.com"))) == (2, 1)
    await world.advance(engine, 5 * 60)
    assert (len(world.inbox.to("alice@example.com")), len(world.inbox.to("carol@example.com"))) == (2, 2)
    await world.advance(engine, 3 * 3600)
    assert len(world.inbox.messages) == 4
    inc = engine.store.get(1)
    assert inc is not None and inc.escalation == "done" and inc.breaches == ["respond"]
    assert (
        "Incident #1" in world.inbox.messages[-1]["Subject"]
        and "[HIGH]" in world.inbox.messages[-1]["Subject"]
    )


async def test_a_step_interrupted_mid_way_is_announced_once(world: World) -> None:
    engine = world.start_engine()
    world.write_up(0)
    world.flush(engine, world.alert("APIDown"))
    # A crash after Level 1 began and its remediation started, before it was recorded as done.
    engine.store.mark_target(1, 0, 0, -1, done=True)
    engine.store.event(1, world.clock.now_ms(), "escalation", "Level 1: automated response")
    engine.store.mark_target(1, 0, 0, 0, done=False)
    restarted = world.start_engine()
    await world.advance(restarted, 0)
    inc = restarted.store.get(1)
    assert inc is not None
    assert [e.kind for e in inc.timeline] == ["opened", "escalation", "interrupted"]
    assert not (world.dir / "restarts").exists()  # at most once: the interrupted command is not rerun
    assert inc.escalation == "verifying"


@pytest.mark.parametrize("listening", [True, False])
async def test_verification_by_a_health_check(world: World, listening: bool) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    if listening:
        sock.listen()
    port = sock.getsockname()[1]
    runner = HealthRunner(
        parse_checks_config(f"checks:\n  - {{name: api-tcp, type: tcp, address: '127.0.0.1:{port}'}}\n")
    )

    async def health_check(name: str) -> tuple[bool, str]:
        spec = runner.cfg.by_name(name)
        assert spec is not None
        result = await runner.run_check(spec)
        return result.success, result.message

    try:
        engine = world.start_engine(health_check)
        world.flush(engine, world.alert("CheckedDown"))
        await world.advance(engine, 30)
    finally:
        sock.close()
    inc = engine.store.get(1)
    assert inc is not None
    verification = next(e for e in inc.timeline if e.kind == "verification")
    if listening:
        assert verification.message == "problem gone: health check api-tcp: ok"
        assert inc.escalation == "paused" and not world.inbox.messages
    else:
        reason = f"connect to 127.0.0.1:{port}: Connection refused"
        assert verification.message == f"problem persists: health check api-tcp: {reason}"
        assert len(world.inbox.to("alice@example.com")) == 1
