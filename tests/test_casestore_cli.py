"""``srgvhd cases`` per interfaces.md §5, run as the installed command in subprocesses, on SQLite
and on a real PostgreSQL cluster: stdout carries only the result, a refusal is exit status 2
with one stderr line and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import casestore_db
from tests.cases import course
from tests.support.local_server import free_port

db_url = casestore_db.db_url
REPO = Path(__file__).resolve().parents[1]
SRGVHD = str(Path(sys.executable).parent / "srgvhd")
DAY0 = course((0, 2, 0, 0, 1))  # not refractory so far; next decision day 7 (2026-11-08)
R1 = course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1))  # progression on day 4: refractory by R1
LIST_KEYS = {
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
}


def cases(
    *args: str,
    db: str | None = None,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run ``srgvhd cases ARGS`` (with ``--db`` when given)."""
    command = [SRGVHD, "cases", *args] + (["--db", db] if db else [])
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=full_env)


def write(tmp_path: Path, name: str, doc: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit status 2, nothing on stdout, one stderr line containing ``words``."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_save_list_export_history_round_trip(db_url: str, tmp_path: Path) -> None:
    day0, r1 = write(tmp_path, "day0.json", DAY0), write(tmp_path, "r1.json", R1)
    first = cases("save", day0, "--code", "W-7", db=db_url)
    assert (first.returncode, first.stdout, first.stderr) == (0, "1\n", "")
    second = cases("save", r1, "--code", "W-7", "--base-version", "1", db=db_url)
    assert (second.returncode, second.stdout) == (0, "2\n")

    listed = cases("list", "--json", db=db_url)
    assert listed.returncode == 0
    (row,) = json.loads(listed.stdout)
    assert set(row) == LIST_KEYS
    assert (row["code"], row["version"], row["status"], row["rule"]) == (
        "W-7",
        2,
        "steroid-refractory",
        "R1",
    )

    exported = cases("export", "W-7", "--version", "1", db=db_url)
    assert exported.returncode == 0
    assert json.loads(exported.stdout)["assessments"] == DAY0["assessments"]
    # the exported file is a case the assess command reads, with the same verdict
    path = write(tmp_path, "back.json", json.loads(exported.stdout))
    assess = subprocess.run(
        [SRGVHD, "assess", path, "--json", "--no-risk"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert json.loads(assess.stdout)["status"]["next_decision_date"] == "2026-11-08"

    history = cases("history", "W-7", "--json", db=db_url)
    versions = json.loads(history.stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert {c["field"] for c in versions[1]["changes"]} >= {"assessments[2026-11-05].stages.skin"}


def test_stale_base_version_is_refused_with_who_and_when(db_url: str, tmp_path: Path) -> None:
    day0, r1 = write(tmp_path, "day0.json", DAY0), write(tmp_path, "r1.json", R1)
    assert cases("save", day0, "--code", "W-8", db=db_url).returncode == 0
    assert (
        cases(
            "save",
            r1,
            "--code",
            "W-8",
            "--base-version",
            "1",
            db=db_url,
            env={"USER": "nurse-a", "LOGNAME": "nurse-a"},
        ).returncode
        == 0
    )
    stale = cases("save", day0, "--code", "W-8", "--base-version", "1", db=db_url)
    refused(stale, "version 2 was saved by nurse-a (OS user) at 20", "nothing saved")
    history = json.loads(cases("history", "W-8", "--json", db=db_url).stdout)
    assert len(history) == 2


def test_save_as_name_is_recorded_beside_the_os_user(db_url: str, tmp_path: Path) -> None:
    day0 = write(tmp_path, "day0.json", DAY0)
    env = {"USER": "nurse-a", "LOGNAME": "nurse-a"}
    saved = cases("save", day0, "--code", "W-9", "--as", "Dr Ana Lee", db=db_url, env=env)
    assert saved.returncode == 0, saved.stderr
    (version,) = json.loads(cases("history", "W-9", "--json", db=db_url).stdout)
    assert version["saved_by"] == "Dr Ana Lee (--as, OS user nurse-a)"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--code", "Jane Doe"), ("--code", "case code must be")),
        (("--code", "a" * 33), ("--code",)),
        (("--code", "W-1", "--base-version", "-1"), ("--base-version",)),
        (("--code", "W-1", "--base-version", "x"), ("--base-version",)),
        (("--code", "W-1", "--base-version", "5"), ("no saved case with code W-1",)),
    ],
)
def test_bad_save_arguments_are_refused_and_nothing_written(
    db_url: str,
    tmp_path: Path,
    args: tuple[str, ...],
    words: tuple[str, ...],
) -> None:
    refused(cases("save", write(tmp_path, "c.json", DAY0), *args, db=db_url), *words)
    assert json.loads(cases("list", "--json", db=db_url).stdout) == []


def test_invalid_case_file_is_refused_naming_the_field(db_url: str, tmp_path: Path) -> None:
    bad = course((0, 2, 0, 0, 1))
    bad["steroids"]["start_date"] = "2026-02-30"
    refused(
        cases("save", write(tmp_path, "bad.json", bad), "--code", "W-1", db=db_url),
        "steroids.start_date",
    )
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    refused(cases("save", str(tmp_path / "junk.json"), "--code", "W-1", db=db_url), "file")
    refused(cases("save", str(tmp_path / "missing.json"), "--code", "W-1", db=db_url), "file")
    assert json.loads(cases("list", "--json", db=db_url).stdout) == []


def test_unknown_code_and_version_are_refused(db_url: str, tmp_path: Path) -> None:
    refused(cases("export", "W-404", db=db_url), "no saved case with code W-404")
    refused(cases("history", "W-404", db=db_url), "no saved case with code W-404")
    assert (
        cases("save", write(tmp_path, "c.json", DAY0), "--code", "W-1", db=db_url).returncode == 0
    )
    refused(cases("export", "W-1", "--version", "2", db=db_url), "no version 2")
    huge = str(2**64)  # beyond SQL BIGINT: still "no such version", not an overflow traceback
    refused(cases("export", "W-1", "--version", huge, db=db_url), f"no version {huge}")
    refused(cases("export", "Jane Doe", db=db_url), "case code must be")


def test_null_case_code_in_the_file_takes_the_code_given(db_url: str, tmp_path: Path) -> None:
    """interfaces.md §1: ``case_code`` is optional; null is the same as absent."""
    path = write(tmp_path, "c.json", {**DAY0, "case_code": None})
    saved = cases("save", path, "--code", "W-2", db=db_url)
    assert (saved.returncode, saved.stdout.strip()) == (0, "1"), saved.stderr
    assert json.loads(cases("export", "W-2", db=db_url).stdout)["case_code"] == "W-2"


def test_lone_surrogate_is_refused_and_nothing_written(db_url: str, tmp_path: Path) -> None:
    """A \\ud800 escape is valid JSON but no text: refused as a file problem, not a crash."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DAY0)[:-1] + ', "note": "\\ud800"}', encoding="utf-8")
    refused(cases("save", str(path), "--code", "W-3", db=db_url), "file", "surrogate")
    assert json.loads(cases("list", "--json", db=db_url).stdout) == []


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite file" * 100)
    refused(cases("list", db=f"sqlite:///{junk}"), "database", "cannot open")


def test_due_by_filters_and_a_bad_date_is_refused(db_url: str, tmp_path: Path) -> None:
    assert (
        cases("save", write(tmp_path, "a.json", DAY0), "--code", "due", db=db_url).returncode == 0
    )
    assert cases("save", write(tmp_path, "b.json", R1), "--code", "refr", db=db_url).returncode == 0
    due = json.loads(cases("list", "--json", "--due-by", "2026-11-08", db=db_url).stdout)
    assert [r["code"] for r in due] == ["refr", "due"]  # refractory 2026-11-05, day 7 11-08
    due = json.loads(cases("list", "--json", "--due-by", "2026-11-07", db=db_url).stdout)
    assert [r["code"] for r in due] == ["refr"]
    assert json.loads(cases("list", "--json", "--due-by", "2026-11-04", db=db_url).stdout) == []
    refused(cases("list", "--due-by", "08/11/2026", db=db_url), "--due-by")
    table = cases("list", db=db_url)
    assert table.returncode == 0 and "due" in table.stdout and "refr" in table.stdout
    assert "second-line choice pending" in table.stdout


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    env = {"SRGVHD_DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}"}
    assert cases("save", write(tmp_path, "c.json", DAY0), "--code", "E-1", env=env).stdout == "1\n"
    assert (tmp_path / "env.sqlite3").exists()


def test_default_database_is_created_in_the_data_dir(tmp_path: Path) -> None:
    env = {"SRGVHD_DATA_DIR": str(tmp_path / "new" / "dir"), "SRGVHD_DATABASE_URL": ""}
    assert cases("save", write(tmp_path, "c.json", DAY0), "--code", "D-1", env=env).stdout == "1\n"
    assert (tmp_path / "new" / "dir" / "cases.sqlite3").exists()


def test_sqlite_backup_is_a_working_copy(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    assert cases("save", write(tmp_path, "c.json", DAY0), "--code", "B-1", db=db).returncode == 0
    backup = tmp_path / "copy.sqlite3"
    result = cases("backup", str(backup), db=db)
    assert result.returncode == 0, result.stderr
    copied = json.loads(cases("list", "--json", db=f"sqlite:///{backup}").stdout)
    assert [r["code"] for r in copied] == ["B-1"]
    refused(cases("backup", str(backup), db=db), "exists")


@pytest.mark.postgresql
@pytest.mark.slow
def test_postgresql_backup_gives_the_pg_dump_command(request, tmp_path: Path) -> None:
    url = casestore_db.database_url(request, "postgresql", tmp_path)
    refused(cases("backup", str(tmp_path / "x.dump"), db=url), "pg_dump")


def test_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = cases("list", db=f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    assert result.returncode != 0 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


OTHER = course((0, 1, 0, 0, 0), start="2026-11-03", age=67)  # another patient (interfaces §8)


def test_another_patient_under_an_existing_code_is_refused_both_ways(
    db_url: str, tmp_path: Path
) -> None:
    mine, theirs = write(tmp_path, "a.json", R1), write(tmp_path, "c.json", OTHER)
    assert cases("save", mine, "--code", "W1", db=db_url).stdout == "1\n"
    new = cases("save", theirs, "--code", "W1", db=db_url)
    refused(new, "W1 exists (version 1): open it, or choose another code")
    based = cases("save", theirs, "--code", "W1", "--base-version", "1", db=db_url)
    refused(
        based,
        "stored: steroid start 2026-11-01, age 42",
        "this file: steroid start 2026-11-03, age 67",
        "--identity-change",
    )
    same_again = cases("save", mine, "--code", "W1", db=db_url)  # same patient, no base
    refused(same_again, "W1 exists (version 1)")
    (row,) = json.loads(cases("list", "--json", db=db_url).stdout)
    assert (row["version"], row["age_years"], row["status"]) == (1, 42, "steroid-refractory")


def test_identity_change_with_a_reason_is_saved_and_shown_in_the_history(
    db_url: str, tmp_path: Path
) -> None:
    mine, theirs = write(tmp_path, "a.json", R1), write(tmp_path, "c.json", OTHER)
    assert cases("save", mine, "--code", "W1", db=db_url).returncode == 0
    args = ("--code", "W1", "--base-version", "1", "--identity-change", "wrong age and start")
    saved = cases("save", theirs, *args, db=db_url)
    assert (saved.returncode, saved.stdout, saved.stderr) == (0, "2\n", "")
    text = cases("history", "W1", db=db_url).stdout
    assert "identity change: wrong age and start" in text
    assert "was steroid start 2026-11-01, age 42; now steroid start 2026-11-03, age 67" in text
    versions = json.loads(cases("history", "W1", "--json", db=db_url).stdout)
    assert [v["identity_change"] for v in versions] == [None, "wrong age and start"]


def test_a_refractory_course_is_listed_as_second_line_choice_pending_then_closed_by_hand(
    db_url: str, tmp_path: Path
) -> None:
    assert cases("save", write(tmp_path, "a.json", R1), "--code", "R-1", db=db_url).returncode == 0
    (row,) = json.loads(cases("list", "--json", db=db_url).stdout)
    assert (row["phase"], row["next_action"], row["due_date"]) == (
        "second-line choice pending",
        "second-line choice pending",
        "2026-11-05",
    )
    refused(cases("close", "R-1", "--base-version", "1", db=db_url), "--reason")
    refused(cases("close", "R-1", "--reason", "death", db=db_url), "--base-version")
    closed = cases("close", "R-1", "--reason", "death", "--base-version", "1", db=db_url)
    assert (closed.returncode, closed.stdout) == (0, "2\n"), closed.stderr
    (row,) = json.loads(cases("list", "--json", db=db_url).stdout)  # still listed
    assert (row["phase"], row["closed_reason"], row["version"]) == ("closed", "death", 2)
    refused(cases("reopen", "R-1", "--base-version", "1", db=db_url), "version 2 was saved by")
    reopened = cases("reopen", "R-1", "--base-version", "2", db=db_url)
    assert (reopened.returncode, reopened.stdout) == (0, "3\n"), reopened.stderr
    (row,) = json.loads(cases("list", "--json", db=db_url).stdout)
    assert (row["phase"], row["closed_reason"]) == ("second-line choice pending", None)
    history = cases("history", "R-1", db=db_url).stdout
    assert "closed by hand: death" in history and "reopened" in history
