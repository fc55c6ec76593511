"""JSON from outside (docs/security.md §5): every case-file reader goes through one strict,
bounded reader (``srgvhd.jsontext.read_json``) — a key given twice is refused naming it (before,
``age_years`` 42 then 7 silently became 7), nesting is bounded without recursion, and what is
shown of a file is made safe for a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.casestore.store import CaseStore
from srgvhd.cli.main import main as cli_main
from srgvhd.clinical.case import loads_case
from srgvhd.errors import InputError
from srgvhd.jsontext import MAX_DEPTH, depth, display_safe, display_text, read_json

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "refractory_r1.json"


def _twice_age() -> bytes:
    """The example case with ``"age_years": 42, "age_years": 7`` in its patient object."""
    text = EXAMPLE.read_text(encoding="utf-8")
    age = json.loads(text)["patient"]["age_years"]
    needle = f'"age_years": {json.dumps(age)}'
    assert needle in text
    return text.replace(needle, '"age_years": 42, "age_years": 7', 1).encode()


def test_read_json_refuses_a_key_twice_naming_it_at_any_depth() -> None:
    with pytest.raises(InputError, match='the key "b" appears twice'):
        read_json('{"a": [{"b": 1, "c": 2, "b": 1}]}', max_bytes=1000)
    assert read_json('{"a": {"b": 1}, "c": {"b": 2}}', max_bytes=1000) == {
        "a": {"b": 1},
        "c": {"b": 2},
    }


def test_read_json_bounds_size_and_depth_at_their_limits() -> None:
    assert read_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, max_bytes=1000)
    with pytest.raises(InputError, match=f"nested more than {MAX_DEPTH} levels"):
        read_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), max_bytes=1000)
    with pytest.raises(InputError, match=f"nested more than {MAX_DEPTH} levels"):
        read_json("[" * 200_000 + "]" * 200_000, max_bytes=1_000_000)  # the parser's own limit
    assert read_json(b'"' + b"x" * 98 + b'"', max_bytes=100) == "x" * 98
    with pytest.raises(InputError, match="larger than"):
        read_json(b'"' + b"x" * 99 + b'"', max_bytes=100)


def test_depth_is_measured_without_recursion() -> None:
    deep: list = []
    for _ in range(100_000):  # far past Python's recursion limit
        deep = [deep]
    assert depth(deep) == MAX_DEPTH + 1  # stops counting past the limit
    assert depth({"a": [1, {"b": []}]}) == 4 and depth(5) == 0  # object, list, object, list


def test_display_text_neutralises_escapes_overrides_and_surrogates() -> None:
    assert (
        display_text("a\x1b[31mb\x07\u202ec\ud800\n\td") == "a\ufffd[31mb\ufffd\ufffdc\ufffd\n\td"
    )
    assert display_safe({"k\x1b": ["\x9b"]}) == {"k\ufffd": ["\ufffd"]}
    assert display_text("Zürich — µmol/L ≥ 2") == "Zürich — µmol/L ≥ 2"


def test_loads_case_refuses_a_duplicate_key_naming_it() -> None:
    with pytest.raises(InputError) as refused:
        loads_case(_twice_age())
    assert str(refused.value) == 'file: the key "age_years" appears twice in one object'


def test_cli_assess_and_cases_save_refuse_a_duplicate_key(tmp_path, capsys) -> None:
    path = tmp_path / "twice.json"
    path.write_bytes(_twice_age())
    assert cli_main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and 'the key "age_years" appears twice' in err
    db = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    assert cli_main(["cases", "save", str(path), "--code", "W1", "--db", db]) == 2
    out, err = capsys.readouterr()
    assert out == "" and 'the key "age_years" appears twice' in err
    assert CaseStore(db).latest("W1") is None


def test_the_apps_open_case_refuses_a_duplicate_key(monkeypatch) -> None:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.switch_page("views/assess.py").run()
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("twice.json", _twice_age(), "application/json")
    ).run()
    assert not at.exception
    refusals = [e.value for e in at.sidebar.error]
    assert any("age\\_years" in r or "age_years" in r for r in refusals), refusals
    assert at.text_input(key="assess_age").value == ""  # the form is unchanged
