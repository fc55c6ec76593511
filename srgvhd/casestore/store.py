"""The case store: save, list, export, history, close and reopen of versioned courses
(interfaces.md §5, §7 and §8).

Every save inserts one new row ``(code, version)`` in one transaction; nothing is updated or
deleted. A save names the version it was based on: the new row is ``base + 1`` and the primary
key decides a race, so of several writers from the same base exactly one wins and the others are
told who saved which version when (``StaleVersionError``). Without a base (or with base 0) a
save creates a new course: a code that exists is refused (``CodeExistsError``), so a new course
can never land on another patient's.

A course is bound to its patient at version 1 (``srgvhd.casestore.binding``). A save whose
binding differs from the latest version's is refused (``IdentityMismatchError``) unless the
clinician gives the reason for an identity change, which the history keeps. Closing by hand and
reopening are versions too (same case file, ``event`` close / reopen); a course stays closed
through later saves until it is reopened.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import DatabaseError, IntegrityError

from srgvhd.casestore.binding import binding_of, binding_text, binding_words
from srgvhd.casestore.database import WRITE, describe, open_engine
from srgvhd.casestore.diff import changes
from srgvhd.casestore.message_json import message_from_json, message_json
from srgvhd.casestore.migrate import upgrade
from srgvhd.casestore.schema import CODE_MAX, case_versions
from srgvhd.casestore.summary import (
    CLOSED,
    NEEDS_SECOND_LINE,
    PENDING,
    STEROIDS,
    closed_by_hand,
    list_fields,
    no_decision_pending,
)
from srgvhd.clinical.case import MAX_CASE_BYTES
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import Msg

CODE_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{CODE_MAX}}}")
SAVED_BY_MAX = 200
REASON_MAX = 300
SAVE, CLOSE, REOPEN = "save", "close", "reopen"
LIST_FIELDS = (
    "code",
    "version",
    "updated_at",
    "updated_by",
    "age_years",
    "steroid_start",
    "day",
    "status",
    "rule",
    "next_decision_date",
    "max_grade",
    "max_grade_incomplete",
    "phase",
    "next_action",
    "due_date",
    "closed_reason",
)
LIST_GROUP = {PENDING: 0, CLOSED: 2}  # pending second-line choices first, closed courses last
T = case_versions.c


def check_code(code: str, where: str = "code") -> str:
    """A valid pseudonymous case code (letters, digits, ``-``, ``_``; 1–32 characters)."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise InputError(
            Problem(
                where,
                Msg(
                    "case code must be 1–{most} letters, digits, '-' or '_' (a pseudonym, "
                    "never a name)",
                    most=CODE_MAX,
                ),
            )
        )
    return code


def timestamp(when: datetime) -> str:
    """ISO 8601 UTC to the second, e.g. ``2026-12-01T08:30:12Z``."""
    if when.tzinfo is None:  # SQLite keeps the UTC time without its zone
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SavedVersion:
    """Who saved which version of a case, and when."""

    code: str
    version: int
    saved_at: str
    saved_by: str

    def sentence(self) -> str:
        """``version 3 was saved by alice at 2026-12-01T08:30:12Z``."""
        return f"version {self.version} was saved by {self.saved_by} at {self.saved_at}"


class StaleVersionError(InputError):
    """A save based on a version the case has moved past; nothing was written."""

    def __init__(self, code: str, base: int, latest: SavedVersion):
        self.code, self.base, self.latest = code, base, latest
        super().__init__(
            Problem(
                "--base-version",
                f"case {code} has moved past version {base}: {latest.sentence()}; nothing saved",
            )
        )


class CodeExistsError(InputError):
    """A new course under a code that already exists; nothing was written."""

    def __init__(self, code: str, latest: int):
        self.code, self.latest = code, latest
        super().__init__(
            Problem("--code", f"{code} exists (version {latest}): open it, or choose another code")
        )


class IdentityMismatchError(InputError):
    """A save whose patient is not the one the course is bound to; nothing was written.

    ``stored`` and ``given`` are the latest stored case file and the one being saved, for
    showing both patients side by side."""

    def __init__(self, code: str, version: int, stored: dict[str, Any], given: dict[str, Any]):
        self.code, self.version, self.stored, self.given = code, version, stored, given
        super().__init__(
            Problem(
                "patient",
                f"case {code} (version {version}) belongs to another patient: stored: "
                f"{binding_words(binding_of(stored))}; this file: "
                f"{binding_words(binding_of(given))}; nothing saved (the same patient, "
                'corrected? save again with --identity-change "REASON")',
            )
        )


class CaseStore:
    """The case store on one database (``url`` as in ``database.resolve_url``).

    Opening it upgrades the schema to the code's head revision (refusing a newer database).
    """

    def __init__(self, url: str | None = None, *, engine: Engine | None = None):
        self.engine = engine if engine is not None else open_engine(url)
        try:
            upgrade(self.engine)
        except DatabaseError as exc:  # unreachable server, or a file that is no database
            raise InputError(
                Problem(
                    "database", f"cannot open {describe(str(self.engine.url))} ({_first_line(exc)})"
                )
            ) from None

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # ------------------------------------------------------------ writing

    def save(
        self,
        code: str,
        document: dict[str, Any],
        who: str,
        base_version: int | None = None,
        identity_change: str | None = None,
    ) -> int:
        """Save ``document`` (a case file, interfaces.md §1) as the next version of ``code``.

        Without ``base_version`` (or with 0) this creates the course. Returns the new version
        number. Refuses (``InputError``, nothing written) a bad code, an invalid case, a
        ``case_code`` in the file that is not ``code``, a base version the case never had,
        a new course under an existing code (``CodeExistsError``), a base the case has moved
        past (``StaleVersionError``) and another patient than the stored one
        (``IdentityMismatchError``) unless ``identity_change`` gives the reason.
        """
        check_code(code, "--code")
        if base_version is not None and (isinstance(base_version, bool) or base_version < 0):
            raise InputError(Problem("--base-version", "must be a whole number ≥ 0"))
        reason = None if identity_change is None else _reason(identity_change, "--identity-change")
        fields = list_fields(document)
        if document.get("case_code") not in (None, code):  # absent or null: takes ``code``
            raise InputError(
                Problem(
                    "case_code",
                    f"the file's case code {document['case_code']!r} is not --code {code!r}",
                )
            )
        stored_doc = {**document, "case_code": code}
        row = {
            "saved_by": _who(who),
            "case_json": stored_text(stored_doc),
            **fields,
            "binding": binding_text(binding_of(stored_doc)),
            "event": SAVE,
        }

        def make(latest: Any) -> dict[str, Any]:
            if latest is None:
                if reason is not None:
                    raise InputError(
                        Problem("--identity-change", Msg("a new course has no patient to change"))
                    )
                return row
            if _binding_of_row(latest) != row["binding"]:
                if reason is None:
                    raise IdentityMismatchError(
                        code, latest.version, json.loads(latest.case_json), stored_doc
                    )
                return {**_kept_closed(row, latest), "identity_change": reason}
            if reason is not None:
                raise InputError(
                    Problem(
                        "--identity-change",
                        Msg(
                            "the patient is unchanged ({patient}); nothing to confirm",
                            patient=binding_words(binding_of(stored_doc)),
                        ),
                    )
                )
            return _kept_closed(row, latest)

        return self._append(code, base_version, make)

    def close_case(self, code: str, reason: str, who: str, base_version: int) -> int:
        """Close ``code`` by hand with ``reason`` (death, transfer, …): a new version with the
        same case file; it stays closed until ``reopen_case``. Returns the new version number."""
        check_code(code)
        why = _reason(reason, "--reason")
        saved_by = _who(who)

        def make(latest: Any) -> dict[str, Any]:
            if latest.closed_reason is not None:
                raise InputError(
                    Problem(
                        "code",
                        Msg(
                            "case {code} is already closed ({reason})",
                            code=code,
                            reason=latest.closed_reason,
                        ),
                    )
                )
            return {
                **_copied(latest),
                "saved_by": saved_by,
                "event": CLOSE,
                "closed_reason": why,
                "phase": CLOSED,
                **_next_action(closed_by_hand(why)),
                "due_date": None,
            }

        return self._append(code, self._base(code, base_version), make)

    def reopen_case(self, code: str, who: str, base_version: int) -> int:
        """Undo a closing by hand: a new version whose phase is the course's own again."""
        check_code(code)
        saved_by = _who(who)

        def make(latest: Any) -> dict[str, Any]:
            if latest.closed_reason is None:
                raise InputError(
                    Problem("code", Msg("case {code} is not closed by hand", code=code))
                )
            return {
                **_copied(latest),
                **list_fields(json.loads(latest.case_json)),
                "saved_by": saved_by,
                "event": REOPEN,
                "closed_reason": None,
            }

        return self._append(code, self._base(code, base_version), make)

    @staticmethod
    def _base(code: str, base_version: Any) -> int:
        if base_version is None or isinstance(base_version, bool) or base_version < 1:
            raise InputError(
                Problem("--base-version", f"give the version of {code} this is based on (≥ 1)")
            )
        return base_version

    def _append(self, code: str, base: int | None, make: Callable[[Any], dict[str, Any]]) -> int:
        """Insert ``make(latest row)`` as version ``base + 1`` (no base or 0: a new course,
        ``make(None)``) in one transaction; refuse a stale base, an unknown one, or a new
        course under an existing code."""
        try:
            with self.engine.connect().execution_options(**WRITE) as conn, conn.begin():
                latest = _latest_row(conn, code)
                version = _next_version(code, base, latest)
                row = make(latest)
                conn.execute(
                    insert(case_versions).values(
                        code=code, version=version, saved_at=datetime.now(UTC), **row
                    )
                )
                return version
        except IntegrityError:
            pass  # another writer saved the same version first
        latest_info = self.latest(code)
        assert latest_info is not None
        if not base:
            raise CodeExistsError(code, latest_info.version)
        raise StaleVersionError(code, base, latest_info)

    # ------------------------------------------------------------ reading

    def latest(self, code: str) -> SavedVersion | None:
        """Who saved the latest version of ``code``, and when (None: never saved)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(T.code, T.version, T.saved_at, T.saved_by)
                .where(T.code == code)
                .order_by(T.version.desc())
                .limit(1)
            ).first()
        return None if found is None else _saved(found)

    def list_cases(self, due_by: date | None = None) -> list[dict[str, Any]]:
        """One row per case, its latest version (interfaces.md §5 and §7 ``list --json``):
        second-line choices pending first, then the other open courses, closed ones last; each
        group by the date its next action is due (overdue first, none last), then code.

        ``due_by``: only cases with a next action due on or before that date.
        """
        latest = select(T.code, func.max(T.version).label("version")).group_by(T.code).subquery()
        query = select(*(getattr(T, c) for c in _LIST_COLUMNS), T.next_action_msg).join(
            latest, (T.code == latest.c.code) & (T.version == latest.c.version)
        )
        with self.engine.connect() as conn:
            rows = [_list_row(r) for r in conn.execute(query).all()]
        if due_by is not None:
            due = due_by.isoformat()
            rows = [r for r in rows if r["due_date"] is not None and r["due_date"] <= due]
        rows.sort(
            key=lambda r: (
                LIST_GROUP.get(r["phase"], 1),
                r["due_date"] is None,
                r["due_date"] or "",
                r["code"],
            )
        )
        return rows

    def export(self, code: str, version: int | None = None) -> str:
        """The case file text of ``version`` (default: the latest) of ``code``."""
        check_code(code)
        query = select(T.case_json).where(T.code == code)
        query = (
            query.where(T.version == version)
            if version is not None
            else query.order_by(T.version.desc()).limit(1)
        )
        with self.engine.connect() as conn:
            storable = version is None or 0 < version <= MAX_VERSION  # SQL BIGINT
            text = conn.execute(query).scalar() if storable else None
            if text is None:
                raise InputError(
                    Problem(
                        "--version" if version is not None else "code",
                        _no_version(code, version, _latest_version(conn, code)),
                    )
                )
        return text

    def history(self, code: str) -> list[dict[str, Any]]:
        """Every version of ``code``, oldest first: who, when, what it was (``event``: save,
        close, reopen), the patient it is bound to, the reason of an identity change or of a
        closing, and the fields changed since the previous version (``diff.changes``; empty
        for the first)."""
        check_code(code)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    T.version,
                    T.saved_at,
                    T.saved_by,
                    T.case_json,
                    T.event,
                    T.identity_change,
                    T.closed_reason,
                )
                .where(T.code == code)
                .order_by(T.version)
            ).all()
        if not rows:
            raise InputError(Problem("code", f"no saved case with code {code}"))
        out, previous = [], None
        for row in rows:
            document = json.loads(row.case_json)
            out.append(
                {
                    "version": row.version,
                    "saved_at": timestamp(row.saved_at),
                    "saved_by": row.saved_by,
                    "event": row.event or SAVE,
                    "patient": binding_words(binding_of(document)),
                    "identity_change": row.identity_change,
                    "closed_reason": row.closed_reason,
                    "changes": [] if previous is None else changes(previous, document),
                }
            )
            previous = document
        return out

    # ------------------------------------------------------------ operations

    def backup(self, path: Path) -> str:
        """Copy an SQLite store to a new file ``path`` with the online backup API (safe while
        the app writes). For PostgreSQL, refuses with the ``pg_dump`` command to use."""
        if self.engine.dialect.name != "sqlite":
            url = describe(str(self.engine.url).replace("postgresql+psycopg", "postgresql"))
            raise InputError(
                Problem(
                    "backup",
                    "PostgreSQL is backed up with its own tools: "
                    f"pg_dump --format=custom --file {path} '{url}'",
                )
            )
        if path.exists():
            raise InputError(Problem("PATH", f"{path} exists; give a new file name"))
        raw = self.engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
        except sqlite3.Error as exc:
            path.unlink(missing_ok=True)
            raise InputError(Problem("PATH", f"cannot write {path} ({exc})")) from None
        finally:
            raw.close()
        return f"backed up to {path}"


MAX_VERSION = 2**63 - 1


# The table's columns behind LIST_FIELDS (the list's "updated_at"/"updated_by" are who saved).
_LIST_COLUMNS = tuple(
    {"updated_at": "saved_at", "updated_by": "saved_by"}.get(name, name) for name in LIST_FIELDS
)
# What a close or reopen copies from the latest version besides its own columns.
_COPIED = (
    "case_json",
    "age_years",
    "steroid_start",
    "day",
    "status",
    "rule",
    "max_grade",
    "max_grade_incomplete",
    "next_decision_date",
    "binding",
    "phase",
    "next_action",
    "next_action_msg",
    "due_date",
)


def _latest_row(conn: Any, code: str) -> Any:
    """The latest version's row of ``code`` (None: never saved)."""
    return conn.execute(
        select(case_versions).where(T.code == code).order_by(T.version.desc()).limit(1)
    ).first()


def _next_version(code: str, base: int | None, latest: Any) -> int:
    """The version a save based on ``base`` becomes, or the refusal."""
    if latest is None:
        if base:
            raise InputError(Problem("--base-version", _no_version(code, base, 0)))
        return 1
    if not base:
        raise CodeExistsError(code, latest.version)
    if base > latest.version:
        raise InputError(Problem("--base-version", _no_version(code, base, latest.version)))
    if base < latest.version:
        raise StaleVersionError(code, base, _saved(latest))
    return base + 1


def _binding_of_row(row: Any) -> str:
    """The stored binding text (a row from before the binding column: from its case file)."""
    return row.binding or binding_text(binding_of(json.loads(row.case_json)))


def _copied(latest: Any) -> dict[str, Any]:
    return {name: getattr(latest, name) for name in _COPIED} | {"binding": _binding_of_row(latest)}


def _kept_closed(row: dict[str, Any], latest: Any) -> dict[str, Any]:
    """A save on a course closed by hand keeps it closed (only reopen undoes a closing)."""
    if latest.closed_reason is None:
        return row
    return {
        **row,
        "closed_reason": latest.closed_reason,
        "phase": CLOSED,
        **_next_action(closed_by_hand(latest.closed_reason)),
        "due_date": None,
    }


def _next_action(action: Msg) -> dict[str, str | None]:
    """The next action's two columns: the English text and its message as JSON."""
    return {"next_action": str(action), "next_action_msg": message_json(action)}


def _reason(text: Any, where: str) -> str:
    """A reason as one line of text: required, at most ``REASON_MAX`` characters."""
    reason = " ".join(str(text or "").split())
    if not reason:
        raise InputError(Problem(where, Msg("give the reason in words")))
    if len(reason) > REASON_MAX:
        raise InputError(Problem(where, Msg("longer than {most} characters", most=REASON_MAX)))
    return reason


def stored_text(document: dict[str, Any]) -> str:
    """The case file text a version is stored (and exported) as: compact JSON, so that an
    exported case is never larger than what was saved and ``save`` accepts it back; refused
    when it would still be over the case-file limit (``clinical.case.MAX_CASE_BYTES``)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    if len(text.encode("utf-8")) > MAX_CASE_BYTES:
        raise InputError(
            Problem(
                "file",
                Msg("larger than {kb} kB once stored; nothing saved", kb=MAX_CASE_BYTES // 1000),
            )
        )
    return text


def _latest_version(conn: Any, code: str) -> int:
    return conn.execute(select(func.max(T.version)).where(T.code == code)).scalar() or 0


def _no_version(code: str, version: int | None, latest: int) -> str:
    if latest == 0:
        return f"no saved case with code {code}"
    return f"case {code} has no version {version} (latest is {latest})"


def _saved(row: Any) -> SavedVersion:
    return SavedVersion(row.code, row.version, timestamp(row.saved_at), row.saved_by)


def _who(who: str) -> str:
    who = " ".join(str(who or "").split())
    if not who:
        raise InputError(Problem("saved_by", Msg("who is saving is unknown")))
    if len(who) > SAVED_BY_MAX:
        raise InputError(
            Problem("saved_by", Msg("longer than {most} characters", most=SAVED_BY_MAX))
        )
    return who


def _list_row(row: Any) -> dict[str, Any]:
    iso = lambda d: None if d is None else d.isoformat()  # noqa: E731
    phase, due = row.phase, row.due_date
    # English text (--json), a Msg that says it in the current language where shown
    action = row.next_action
    if action is not None:
        action = message_from_json(row.next_action_msg, action)
    if phase is None:  # a version the engine could not read when the store was upgraded
        if row.status in NEEDS_SECOND_LINE:
            phase, action = PENDING, Msg("second-line choice pending")
        elif row.next_decision_date is not None:
            phase, action, due = STEROIDS, Msg("decision due"), row.next_decision_date
        else:
            phase, action = CLOSED, no_decision_pending(row.status)
    return {
        "code": row.code,
        "version": row.version,
        "updated_at": timestamp(row.saved_at),
        "updated_by": row.saved_by,
        "age_years": row.age_years,
        "steroid_start": iso(row.steroid_start),
        "day": row.day,
        "status": row.status,
        "rule": row.rule,
        "next_decision_date": iso(row.next_decision_date),
        "max_grade": row.max_grade,
        "max_grade_incomplete": row.max_grade_incomplete,
        "phase": phase,
        "next_action": action,
        "due_date": iso(due),
        "closed_reason": row.closed_reason,
    }


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
