"""Export that save accepts (docs/security.md §5): a version is stored as compact JSON, so
``cases export`` gives back text no larger than what was saved and ``cases save`` accepts it —
at the 1 MB case-file limit too. (Stored re-indented, a 999 kB compact case came back as
1,050 kB and was refused.)"""

from __future__ import annotations

import json
from pathlib import Path

from srgvhd.cli.main import main as cli_main
from srgvhd.clinical.case import MAX_CASE_BYTES
from tests.cases import long_course

CODE = "W-LIMIT"


def _compact_case_of(size: int) -> bytes:
    """A valid compact case file (with its case code) of exactly ``size`` bytes."""
    document = {**long_course(100), "case_code": CODE, "notes": ""}
    base = len(json.dumps(document, separators=(",", ":")).encode()) + 1  # + final newline
    document["notes"] = "n" * (size - base)
    text = (json.dumps(document, separators=(",", ":")) + "\n").encode()
    assert len(text) == size
    return text


def _cases(capsys, *args: str) -> tuple[int, str, str]:
    status = cli_main(["cases", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_case_just_under_the_limit_round_trips_through_export(tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    original = tmp_path / "case.json"
    original.write_bytes(_compact_case_of(MAX_CASE_BYTES - 1))
    assert _cases(capsys, "save", str(original), "--code", CODE, "--db", db)[:2] == (0, "1\n")
    status, exported, err = _cases(capsys, "export", CODE, "--db", db)
    assert status == 0, err
    assert len(exported.encode()) <= MAX_CASE_BYTES - 1
    back = tmp_path / "exported.json"
    back.write_text(exported, encoding="utf-8")
    status, out, err = _cases(
        capsys, "save", str(back), "--code", CODE, "--base-version", "1", "--db", db
    )
    assert (status, out) == (0, "2\n"), err
    assert json.loads(exported) == json.loads(original.read_bytes())


def test_an_indented_file_exports_no_larger(tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    document = json.loads(_compact_case_of(600_000))
    path = tmp_path / "indented.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    assert _cases(capsys, "save", str(path), "--code", CODE, "--db", db)[0] == 0
    exported = _cases(capsys, "export", CODE, "--db", db)[1]
    assert len(exported.encode()) < path.stat().st_size


def test_a_case_that_would_pass_the_limit_once_stored_is_refused(tmp_path: Path, capsys) -> None:
    """A file at exactly 1 MB without its case code: stored with the code it would be over the
    limit, so export could not give it back; refused in one line, nothing stored."""
    db = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    document = json.loads(_compact_case_of(MAX_CASE_BYTES - 40))
    del document["case_code"]
    document["notes"] += "n" * (MAX_CASE_BYTES - len(json.dumps(document, separators=(",", ":"))))
    path = tmp_path / "full.json"
    path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    assert path.stat().st_size == MAX_CASE_BYTES
    status, out, err = _cases(capsys, "save", str(path), "--code", CODE, "--db", db)
    assert (status, out) == (2, "")
    assert err == "file: larger than 1000 kB once stored; nothing saved\n"
    assert _cases(capsys, "list", "--db", db)[1].count(CODE) == 0
