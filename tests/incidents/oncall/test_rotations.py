"""Who is on call: rotations, handoffs across DST changes, layers with restrictions, overrides, and
decoding schedules with their errors."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from tests.support import ERPMON

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import compose
from erpmon.incidents.oncall import Schedule, decode_schedule

BERLIN = ZoneInfo("Europe/Berlin")


def ms(text: str, zone: ZoneInfo = BERLIN) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp() * 1000)


def local(t_ms: int) -> str:
    return dt.datetime.fromtimestamp(t_ms / 1000, tz=BERLIN).strftime("%Y-%m-%d %H:%M")


def schedule(text: str, people: tuple[str, ...] = ("alice", "bob", "carol", "dave")) -> Schedule:
    dec = Decoder("incidents.yml")
    node = compose(text)
    assert node is not None
    s = decode_schedule(dec, node, people)
    assert not dec.problems, dec.problems
    assert s is not None
    return s


def problems(text: str) -> list[str]:
    dec = Decoder("incidents.yml")
    node = compose(text)
    assert node is not None
    decode_schedule(dec, node, ("alice", "bob"))
    return [str(p) for p in dec.problems]


DAILY = """\
name: primary
time_zone: Europe/Berlin
layers:
  - {name: base, rotation: daily, handoff: '09:00', start: '2026-03-20', members: [alice, bob]}
"""


def who(s: Schedule, text: str) -> str | None:
    shift = s.on_call(ms(text))
    return shift.person if shift else None


def test_a_daily_rotation_hands_off_at_the_local_time() -> None:
    s = schedule(DAILY)
    assert who(s, "2026-03-20T08:59") is None  # before the first shift
    assert who(s, "2026-03-20T09:00") == "alice"
    assert who(s, "2026-03-21T08:59") == "alice"
    assert who(s, "2026-03-21T09:00") == "bob"
    assert who(s, "2026-03-22T09:00") == "alice"


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-28", 23), ("2026-10-24", 25)],  # spring forward on the 29th, fall back on the 25th
)
def test_handoffs_stay_at_nine_across_dst(day: str, hours: int) -> None:
    s = schedule(DAILY)
    shift = s.on_call(ms(f"{day}T12:00"))
    assert shift is not None
    assert local(shift.start_ms) == f"{day} 09:00"
    assert local(shift.end_ms)[-5:] == "09:00"
    assert (shift.end_ms - shift.start_ms) == hours * 3_600_000
    after = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    assert who(s, f"{after}T08:59") == shift.person
    assert who(s, f"{after}T09:01") != shift.person


def test_a_handoff_inside_the_spring_forward_gap() -> None:
    s = schedule(DAILY.replace("'09:00'", "'02:30'"))
    # 02:30 does not exist on 2026-03-29 in Berlin; fold=0 makes it 03:30 CEST (01:30 UTC).
    before = ms("2026-03-29T00:29", dt.UTC)
    after = ms("2026-03-29T01:31", dt.UTC)
    assert s.on_call(before) is not None and s.on_call(after) is not None
    assert s.on_call(before).person != s.on_call(after).person  # type: ignore[union-attr]


def test_a_weekly_rotation() -> None:
    s = schedule(DAILY.replace("rotation: daily", "rotation: weekly").replace("2026-03-20", "2026-03-02"))
    assert who(s, "2026-03-02T09:00") == "alice"
    assert who(s, "2026-03-09T08:59") == "alice"
    assert who(s, "2026-03-09T09:00") == "bob"
    assert who(s, "2026-03-30T08:59") == "bob"  # the week after the DST change, still at 09:00 local
    assert who(s, "2026-03-30T09:00") == "alice"


LAYERED = """\
name: primary
time_zone: Europe/Berlin
layers:
  - {name: base, rotation: weekly, handoff: '09:00', start: '2026-03-02', members: [alice, bob]}
  - name: office-hours
    rotation: daily
    start: '2026-03-02'
    members: [carol]
    restrict_to:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:00'}]
overrides:
  - {person: dave, start: '2026-03-04T12:00:00+01:00', end: '2026-03-04T14:00:00+01:00'}
  - {person: bob, start: '2026-03-04T13:00:00+01:00', end: '2026-03-04T13:30:00+01:00'}
"""


def test_a_restricted_layer_covers_only_its_hours() -> None:
    s = schedule(LAYERED)
    assert who(s, "2026-03-03T10:00") == "carol"  # Tuesday, office hours (local time)
    assert who(s, "2026-03-03T16:59") == "carol"
    assert who(s, "2026-03-03T17:00") == "alice"  # the base layer answers outside them
    assert who(s, "2026-03-07T10:00") == "alice"  # Saturday
    shift = s.on_call(ms("2026-03-03T10:00"))
    assert shift is not None and shift.source == "office-hours"
    assert local(shift.start_ms) == "2026-03-03 09:00" and local(shift.end_ms) == "2026-03-03 17:00"


def test_overrides_win_and_the_last_listed_wins_among_them() -> None:
    s = schedule(LAYERED)
    assert who(s, "2026-03-04T11:59") == "carol"
    assert who(s, "2026-03-04T12:00") == "dave"
    assert who(s, "2026-03-04T13:10") == "bob"
    assert who(s, "2026-03-04T13:30") == "dave"
    assert who(s, "2026-03-04T14:00") == "carol"  # the end is exclusive
    shift = s.on_call(ms("2026-03-04T12:30"))
    assert shift is not None and shift.source == "override"
    assert local(shift.start_ms) == "2026-03-04 12:00" and local(shift.end_ms) == "2026-03-04 13:00"


def test_upcoming_shifts_are_consecutive() -> None:
    s = schedule(DAILY)
    shifts = s.upcoming(ms("2026-03-21T12:00"), 3)
    assert [x.person for x in shifts] == ["bob", "alice", "bob"]
    assert [local(x.start_ms) for x in shifts] == ["2026-03-21 09:00", "2026-03-22 09:00", "2026-03-23 09:00"]
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(shifts))


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (("members: [alice, bob]", "members: [alice, zed]"), 4, 'unknown person "zed" in schedule "primary"'),
        (("Europe/Berlin", "Mars/Olympus"), 2, "unknown time zone 'Mars/Olympus'"),
        (("rotation: daily", "rotation: hourly"), 4, "invalid rotation 'hourly'"),
        (("'09:00'", "'9am'"), 4, "invalid handoff '9am'"),
        ((", start: '2026-03-20'", ""), 4, "needs a start date"),
        (("rotation: daily", "rotaton: daily"), 4, "rotaton"),
    ],
)
def test_schedule_mistakes(change: tuple[str, str], line: int, reason: str) -> None:
    text = DAILY.replace(*change)
    assert text != DAILY
    found = problems(text)
    assert any(p.startswith(f"incidents.yml:{line}:") and reason in p for p in found), found


def test_an_override_ending_before_it_starts() -> None:
    text = (
        DAILY + "overrides:\n  - {person: bob, start: '2026-03-04T14:00:00Z', end: '2026-03-04T12:00:00Z'}\n"
    )
    assert any("end must be after its start" in p for p in problems(text))


def test_oncall_who_from_the_cli(tmp_path: Path) -> None:
    cfg = tmp_path / "incidents.yml"
    people = "people:\n" + "".join(
        f"  - {{name: {n}, contacts: [{{webhook_configs: [{{url: 'http://127.0.0.1:9/'}}]}}]}}\n"
        for n in ("alice", "bob", "carol", "dave")
    )
    body = yaml.safe_load(LAYERED)
    cfg.write_text(people + "schedules:\n" + yaml.safe_dump([body]))
    at = "2026-03-04T12:30:00+01:00"
    out = subprocess.run([*ERPMON, "oncall", "who", f"--config.file={cfg}", f"--at={at}"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "primary: dave (dave, override) until 2026-03-04T12:00:00.000Z" in out.stdout
    bad = subprocess.run([*ERPMON, "oncall", "who", f"--config.file={cfg}", "--at=yesterday"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 2
