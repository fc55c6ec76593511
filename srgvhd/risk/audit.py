"""The model store's audit log: one JSON object per line, append-only (docs/security.md §3).

Each operation that changes the active model writes an *intent* line (id, who, when, action,
from_version, to_version, training_file_sha256) before it acts and an *outcome* line (same id,
"completed" or "failed" with the reason) after. A writer killed in between leaves an intent
without outcome, read as "not completed" — unless the active pointer already names its target
version (killed after the pointer was written), then "completed (outcome line missing)".

Every line starts on a new line: if the file does not end with a newline (a line torn by a full
disk), a newline is written first, so the next record is never glued to the torn one. Lines that
cannot be read are skipped and counted, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from srgvhd.errors import InputError
from srgvhd.i18n.message import N_, Msg
from srgvhd.jsontext import display_safe, read_json

MAX_LINE_BYTES = 64_000  # an intent line is ~400 bytes
# Outcomes as the Model page shows them (English message ids; translated where shown).
COMPLETED = N_("completed")
NOT_COMPLETED = N_("not completed")
COMPLETED_UNLOGGED = N_("completed (outcome line missing)")


@dataclass(frozen=True)
class AuditLog:
    """The audit log as read: one entry per operation, and how many lines could not be read.

    Each entry holds the intent's fields (who, when, action, from_version, to_version,
    training_file_sha256) and ``outcome``: "completed", "failed: <reason>" or "not completed"
    (the writer was killed between its intent and its outcome). Lines of the older format (one
    line per activation, no intent/outcome) are entries with outcome "completed".
    """

    entries: list[dict]
    unreadable_lines: int


def parse_audit(text: str, active: str | None) -> AuditLog:
    """Merge intent and outcome lines into entries (see module docstring); ``active`` is the
    version the pointer names now."""
    entries: list[dict] = []
    by_id: dict[str, dict] = {}
    unreadable = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:  # bounded and strict like every JSON read from disk; its strings shown safely
            record = display_safe(read_json(line, where="audit line", max_bytes=MAX_LINE_BYTES))
        except InputError:
            unreadable += 1
            continue
        if not isinstance(record, dict):
            unreadable += 1
            continue
        phase = record.pop("phase", None)
        if phase is None:
            entries.append({**record, "outcome": COMPLETED})
        elif phase == "intent" and isinstance(record.get("id"), str):
            entry = {**record, "outcome": NOT_COMPLETED}
            by_id[record["id"]] = entry
            entries.append(entry)
        elif phase in ("completed", "failed") and record.get("id") in by_id:
            reason = record.get("reason")
            by_id[record["id"]]["outcome"] = (
                COMPLETED if phase == "completed" else Msg("failed: {reason}", reason=str(reason))
            )
        else:
            unreadable += 1
    # Killed after the pointer was written but before the outcome line: the pointer shows it.
    if entries and entries[-1]["outcome"] == NOT_COMPLETED and active is not None:
        if entries[-1].get("to_version") == active:
            entries[-1]["outcome"] = COMPLETED_UNLOGGED
    return AuditLog(entries, unreadable)


def append_record(path: Path, record: dict, *, opener: Callable[[str, int], int]) -> None:
    """Append ``record`` as one JSON line, fsynced; a newline first if the file lacks one.

    Raises OSError (e.g. ENOSPC) as the file system reports it.
    """
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
    with open(path, "a+b", opener=opener) as handle:
        end = handle.seek(0, os.SEEK_END)
        if end:
            handle.seek(end - 1)
            if handle.read(1) != b"\n":
                line = b"\n" + line
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
