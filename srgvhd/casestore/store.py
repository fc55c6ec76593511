"""The case store: save, list, export and history of versioned courses (interfaces.md §5).

Every save inserts one new row ``(code, version)`` in one transaction; nothing is updated or
deleted. A save names the version it was based on: the new row is ``base + 1`` and the primary
key decides a race, so of several writers from the same base exactly one wins and the others are
told who saved which version when (``StaleVersionError``). Without a base the case is appended
as the next version, retrying if another writer got there first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import DatabaseError, IntegrityError

from srgvhd.casestore.database import WRITE, describe, open_engine
from srgvhd.casestore.diff import changes
from srgvhd.casestore.migrate import upgrade
from srgvhd.casestore.schema import CODE_MAX, case_versions
from srgvhd.casestore.summary import list_fields
from srgvhd.clinical.case import MAX_CASE_BYTES
from srgvhd.errors import InputError, Problem

CODE_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{CODE_MAX}}}")
SAVED_BY_MAX = 200
APPEND_ATTEMPTS = 50
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
)
T = case_versions.c


def check_code(code: str, where: str = "code") -> str:
    """A valid pseudonymous case code (letters, digits, ``-``, ``_``; 1–32 characters)."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise InputError(
            Problem(
                where,
                f"case code must be 1–{CODE_MAX} letters, digits, '-' "
                "or '_' (a pseudonym, never a name)",
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
        self.latest = latest
        super().__init__(
            Problem(
                "--base-version",
                f"case {code} has moved past version {base}: {latest.sentence()}; nothing saved",
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
        self, code: str, document: dict[str, Any], who: str, base_version: int | None = None
    ) -> int:
        """Save ``document`` (a case file, interfaces.md §1) as the next version of ``code``.

        Returns the new version number. Refuses (``InputError``, nothing written) a bad code,
        an invalid case, a ``case_code`` in the file that is not ``code``, a base version the
        case never had, and (``StaleVersionError``) a base the case has moved past.
        """
        check_code(code, "--code")
        if base_version is not None and (isinstance(base_version, bool) or base_version < 0):
            raise InputError(Problem("--base-version", "must be a whole number ≥ 0"))
        fields = list_fields(document)
        if document.get("case_code") not in (None, code):  # absent or null: takes ``code``
            raise InputError(
                Problem(
                    "case_code",
                    f"the file's case code {document['case_code']!r} is not --code {code!r}",
                )
            )
        text = stored_text({**document, "case_code": code})
        row = {"code": code, "saved_by": _who(who), "case_json": text, **fields}
        if base_version is not None:
            return self._insert_on(code, base_version, row)
        for _ in range(APPEND_ATTEMPTS):
            try:
                return self._insert_on(code, None, row)
            except StaleVersionError:
                continue
        raise InputError(Problem("database", f"case {code}: too many concurrent saves; try again"))

    def _insert_on(self, code: str, base: int | None, row: dict[str, Any]) -> int:
        """Insert ``row`` as version ``base + 1`` (``base`` None: the latest version)."""
        try:
            with self.engine.connect().execution_options(**WRITE) as conn, conn.begin():
                latest = _latest_version(conn, code)
                if base is None:
                    base = latest
                elif base > latest:
                    raise InputError(Problem("--base-version", _no_version(code, base, latest)))
                version = base + 1
                conn.execute(
                    insert(case_versions).values(version=version, saved_at=datetime.now(UTC), **row)
                )
                return version
        except IntegrityError:
            pass  # another writer saved version base + 1 first
        assert base is not None
        latest_info = self.latest(code)
        assert latest_info is not None
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
        """One row per case, its latest version (interfaces.md §5 ``list --json``), sorted by
        next decision date (overdue first, cases without one last), then code.

        ``due_by``: only cases with a next decision on or before that date.
        """
        latest = select(T.code, func.max(T.version).label("version")).group_by(T.code).subquery()
        query = (
            select(
                T.code,
                T.version,
                T.saved_at,
                T.saved_by,
                T.age_years,
                T.steroid_start,
                T.day,
                T.status,
                T.rule,
                T.next_decision_date,
                T.max_grade,
            )
            .join(latest, (T.code == latest.c.code) & (T.version == latest.c.version))
            .order_by(T.next_decision_date.asc().nulls_last(), T.code)
        )
        if due_by is not None:
            query = query.where(T.next_decision_date <= due_by)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_list_row(r) for r in rows]

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
        """Every version of ``code``, oldest first: who, when, and the fields changed since the
        previous version (``diff.changes``; empty for the first)."""
        check_code(code)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(T.version, T.saved_at, T.saved_by, T.case_json)
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


def stored_text(document: dict[str, Any]) -> str:
    """The case file text a version is stored (and exported) as: compact JSON, so that an
    exported case is never larger than what was saved and ``save`` accepts it back; refused
    when it would still be over the case-file limit (``clinical.case.MAX_CASE_BYTES``)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    if len(text.encode("utf-8")) > MAX_CASE_BYTES:
        raise InputError(
            Problem("file", f"larger than {MAX_CASE_BYTES // 1000} kB once stored; nothing saved")
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
        raise InputError(Problem("saved_by", "who is saving is unknown"))
    if len(who) > SAVED_BY_MAX:
        raise InputError(Problem("saved_by", f"longer than {SAVED_BY_MAX} characters"))
    return who


def _list_row(row: Any) -> dict[str, Any]:
    iso = lambda d: None if d is None else d.isoformat()  # noqa: E731
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
    }


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
