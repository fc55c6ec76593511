"""``srgvhd cases``: the ward's case store from the command line (interfaces.md §5, §7, §8).

    srgvhd cases save CASE.json --code CODE [--base-version N] [--identity-change REASON]
    srgvhd cases list [--json] [--due-by YYYY-MM-DD]              one row per case, latest version
    srgvhd cases export CODE [--version N]                        the case file on stdout
    srgvhd cases history CODE [--json]                            who, when, what changed
    srgvhd cases close CODE --reason TEXT --base-version N        close a course by hand
    srgvhd cases reopen CODE --base-version N                     undo a closing by hand
    srgvhd cases backup PATH                                      SQLite online backup

``save`` without ``--base-version`` creates a course and refuses a code that exists; a save of
another patient than the course's (interfaces.md §8) is refused unless ``--identity-change``
gives the reason, which the history keeps.

Every subcommand takes ``--db URL`` (else ``SRGVHD_DATABASE_URL``, else the SQLite file in the
data directory). ``save`` records the OS user as who saved ("alice (OS user)"), or ``--as NAME``
beside the OS user (srgvhd.identity.cli_identity). Bad input, a stale base version or a
database that cannot be opened: exit status 2, nothing on stdout, one line on stderr, nothing
written; a database error during the command: exit status 1, one line on stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from srgvhd.cli.argtypes import iso_date
from srgvhd.cli.who import as_option

BAD_INPUT = 2
DATABASE_FAILURE = 1


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``cases`` with its subcommands; each sets ``func(args) -> int``."""
    cases = subparsers.add_parser(
        "cases", help="the ward's case store (save, list, export, history, close, reopen, backup)"
    )
    sub = cases.add_subparsers(dest="cases_command", required=True, parser_class=type(cases))
    save = sub.add_parser("save", help="save a case file as the case's next version")
    save.add_argument("case", type=Path, metavar="CASE.json")
    save.add_argument("--code", required=True, help="pseudonymous case code (never a name)")
    save.add_argument(
        "--base-version",
        type=_whole,
        default=None,
        metavar="N",
        help="the version this file was based on; refused if the case moved on "
        "(without it: a new course, refused if CODE exists)",
    )
    save.add_argument(
        "--identity-change",
        default=None,
        metavar="REASON",
        help="confirm that the course's patient binding changes (e.g. a corrected age or "
        "start date), with the reason kept in the history",
    )
    as_option(save)
    _db_option(save, _save)

    listing = sub.add_parser("list", help="one row per case (latest version), by next decision")
    listing.add_argument("--json", action="store_true", help="print the JSON contract")
    listing.add_argument(
        "--due-by",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="only cases with a decision due on or before this date",
    )
    _db_option(listing, _list)

    export = sub.add_parser("export", help="print a saved version's case file")
    export.add_argument("code")
    export.add_argument("--version", type=_whole, default=None, metavar="N")
    _db_option(export, _export)

    history = sub.add_parser("history", help="every version: who, when, what changed")
    history.add_argument("code")
    history.add_argument("--json", action="store_true")
    _db_option(history, _history)

    close = sub.add_parser("close", help="close a course by hand, with the reason")
    close.add_argument("code")
    close.add_argument(
        "--reason", required=True, help="why (death, transfer, other words; never a name)"
    )
    close.add_argument("--base-version", type=_whole, required=True, metavar="N")
    as_option(close)
    _db_option(close, _close)

    reopen = sub.add_parser("reopen", help="reopen a course closed by hand")
    reopen.add_argument("code")
    reopen.add_argument("--base-version", type=_whole, required=True, metavar="N")
    as_option(reopen)
    _db_option(reopen, _reopen)

    backup = sub.add_parser("backup", help="copy the SQLite store to a new file")
    backup.add_argument("path", type=Path, metavar="PATH")
    _db_option(backup, _backup)


def _db_option(parser: argparse.ArgumentParser, handler: Handler) -> None:
    parser.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="database URL (default: $SRGVHD_DATABASE_URL, else SQLite in $SRGVHD_DATA_DIR)",
    )
    parser.set_defaults(func=_guarded(handler))


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {value}")
    return value


Handler = Callable[[Any, argparse.Namespace, io.StringIO], int]


def _guarded(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Open the store, run ``handler``; a refusal is exit 2 and one stderr line, a database
    failure exit 1 and one line; stdout is written only on success."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from srgvhd.casestore.store import CaseStore
        from srgvhd.errors import InputError

        out = io.StringIO()
        store = None
        try:
            store = CaseStore(args.db)
            status = handler(store, args, out)
        except InputError as exc:
            print(_one_line(str(exc)), file=sys.stderr)
            return BAD_INPUT
        except SQLAlchemyError as exc:
            # the driver's first line only: later lines (PostgreSQL's DETAIL) can quote values
            detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            print(_one_line(f"database: {detail or type(exc).__name__}"), file=sys.stderr)
            return DATABASE_FAILURE
        finally:
            if store is not None:
                store.close()
        sys.stdout.write(out.getvalue())
        return status

    return run


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _save(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    from srgvhd.clinical.case import MAX_CASE_BYTES, parse_case, read_case_json
    from srgvhd.errors import InputError, Problem
    from srgvhd.identity import cli_identity

    try:
        with open(args.case, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise InputError(Problem("file", f"cannot read {args.case!r}: {exc.strerror}")) from None
    document = read_case_json(raw)  # the same reader as assess and the app's Open case
    parse_case(document)  # refuses an invalid case by field before anything is stored
    version = store.save(
        args.code,
        document,
        cli_identity(args.as_name).who,
        base_version=args.base_version,
        identity_change=args.identity_change,
    )
    print(version, file=out)
    return 0


def _close(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    from srgvhd.identity import cli_identity

    who = cli_identity(args.as_name).who
    print(store.close_case(args.code, args.reason, who, args.base_version), file=out)
    return 0


def _reopen(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    from srgvhd.identity import cli_identity

    print(store.reopen_case(args.code, cli_identity(args.as_name).who, args.base_version), file=out)
    return 0


def _list(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    from srgvhd.jsontext import escaped_text

    rows = store.list_cases(args.due_by)
    if args.json:
        return _write_json(rows, out)
    header = (
        f"{'code':<32}  {'ver':>3}  {'day':>3}  {'status':<22} {'rule':<4}  "
        f"{'grade':<5}  {'phase':<26}  {'due':<10}  next action"
    )
    print(header, file=out)
    for r in rows:
        print(
            f"{r['code']:<32}  {r['version']:>3}  {_dash(r['day']):>3}  {r['status']:<22} "
            f"{_dash(r['rule']):<4}  {r['max_grade']:<5}  {r['phase']:<26}  "
            f"{_dash(r['due_date']):<10}  {escaped_text(r['next_action'])}",
            file=out,
        )
    return 0


def _write_json(value: Any, out: io.StringIO) -> int:
    out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    return 0


def _dash(value: Any) -> str:
    return "—" if value is None else str(value)


def _export(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    out.write(store.export(args.code, args.version))
    return 0


def _history(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    versions = store.history(args.code)
    if args.json:
        return _write_json(versions, out)
    from srgvhd.jsontext import escaped_text

    previous = None
    for v in versions:
        print(f"version {v['version']}  {v['saved_at']}  {escaped_text(v['saved_by'])}", file=out)
        if v["event"] == "close":
            print(f"    closed by hand: {escaped_text(v['closed_reason'])}", file=out)
        elif v["event"] == "reopen":
            print("    reopened", file=out)
        if v["identity_change"]:
            print(
                f"    identity change: {escaped_text(v['identity_change'])} "
                f"(was {previous}; now {v['patient']})",
                file=out,
            )
        previous = v["patient"]
        if v["version"] > 1 and not v["changes"] and v["event"] == "save":
            print("    (no field changed)", file=out)
        for c in v["changes"]:
            field = escaped_text(c["field"])  # a case file's own keys: never raw to a terminal
            print(f"    {field}: {_shown(c['before'])} → {_shown(c['after'])}", file=out)
    return 0


def _shown(value: Any) -> str:
    from srgvhd.casestore.diff import ABSENT
    from srgvhd.jsontext import escaped_text

    return ABSENT if value == ABSENT else escaped_text(json.dumps(value, ensure_ascii=False))


def _backup(store: Any, args: argparse.Namespace, out: io.StringIO) -> int:
    print(store.backup(args.path), file=out)
    return 0
