"""Silences with Alertmanager 0.25's rules, kept on disk across restarts.

Owns: `Silence` (matchers, start, end, author, comment; pending / active / expired), `Silences`
(set with 0.25's validation and its rule for when an update replaces a silence, expire, query,
`mutes` for the silencer, garbage collection after the retention) and the state file, replaced
atomically on every change so a SIGKILL never loses a silence.
Reads from: `erpmon.model` (matchers, labels).
Hands on: muting silence ids to the dispatcher's silencer; silences to the v2 API.
"""

from erpmon.alerting.silences._silences import Silence, SilenceError, SilenceNotFound, Silences

__all__ = ["Silence", "SilenceError", "SilenceNotFound", "Silences"]
