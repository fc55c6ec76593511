"""``srgvhd assess`` prints exactly what it printed before the typed results (issue 8).

The fixtures were produced by the dict-based engine (commit cf13a25) before results became
dataclasses: ``assess_golden.json`` holds 251 ``srgvhd-case/1`` documents (every valid document
the engine tests parsed, 160 seeded random courses with blanks, stages, dose changes and
children, and the three examples) with their ``--json --no-risk`` output under both rule sets;
``assess_<example>_<rules>.json/.txt`` are the full outputs with the bundled reference model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from srgvhd.cli.main import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = FIXTURES.parents[1]
REFERENCE_MODELS = REPO / "srgvhd" / "risk" / "reference"
GOLDEN = json.loads((FIXTURES / "assess_golden.json").read_text(encoding="utf-8"))["cases"]
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.json"))


def _run(capsys: pytest.CaptureFixture, *argv: str) -> str:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _printed(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def test_fixture_covers_both_modes_and_blanks() -> None:
    """Guard against a fixture that exercises only one path."""
    sources = {a["source"] for c in GOLDEN for a in c["expected"]["study"]["assessments"]}
    assert sources == {"measurements", "stages"}
    values = {c["expected"][r]["status"]["value"] for c in GOLDEN for r in c["expected"]}
    assert values == {
        "steroid-refractory",
        "steroid-responsive",
        "not refractory so far",
        "steroid-dependent",
    }
    assert len(GOLDEN) == 251


@pytest.mark.parametrize("index", range(len(GOLDEN)))
def test_json_output_is_byte_for_byte_unchanged(index: int, tmp_path: Path, capsys) -> None:
    entry = GOLDEN[index]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(entry["case"]), encoding="utf-8")
    for rules, expected in entry["expected"].items():
        out = _run(capsys, "assess", str(path), "--json", "--rules", rules, "--no-risk")
        assert out == _printed(expected), rules


@pytest.mark.parametrize("rules", ["study", "ebmt2018"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_with_reference_model_unchanged(example: str, rules: str, capsys) -> None:
    case = str(REPO / "examples" / f"{example}.json")
    common = ("--rules", rules, "--models-dir", str(REFERENCE_MODELS))
    expected = json.loads((FIXTURES / f"assess_{example}_{rules}.json").read_text("utf-8"))
    actual = json.loads(_run(capsys, "assess", case, "--json", *common))
    actual_risk, expected_risk = actual.pop("risk"), expected.pop("risk")
    assert actual == expected
    assert list(actual_risk) == list(expected_risk)  # same keys, same order
    assert _same(actual_risk, expected_risk)
    table = _run(capsys, "assess", case, *common)
    assert table == (FIXTURES / f"assess_{example}_{rules}.txt").read_text("utf-8")


def _same(a: Any, b: Any) -> bool:
    """Deep equality with floats compared to 1e-9 (issue 8: reference risk figures to 1e-9)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return a == b
