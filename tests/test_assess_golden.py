"""``srgvhd assess`` prints exactly what it printed before the typed results (docs/architecture.md).

The fixtures were produced by the dict-based engine (commit cf13a25) before results became
dataclasses: ``assess_golden.json`` holds 251 ``srgvhd-case/1`` documents (every valid document
the engine tests parsed, 160 seeded random courses with blanks, stages, dose changes and
children, and the three examples) with their ``--json --no-risk`` output under both rule sets;
``assess_<example>_<rules>.json/.txt`` are the full outputs with the bundled reference model.

Since ``srgvhd-case/2`` the output differs from the fixtures only by the additions its contract
makes (docs/interfaces.md §1, §2, §6): ``status.waiting`` (null here); for a ``/1`` file with
blank findings, the warning that its blanks were read as not involved (after the course's dose
warning); and for a course with an assessment on days 28–35, ``scores`` with the day-28 response
of the fixture's first such assessment. Everything else is compared byte for byte.

One intended change was re-based in the fixture: EBMT 2018's E2 became one decision on the first
assessable assessment from day 7 (and dependence wins ties with E3), which changed the ebmt2018
``status`` and ``warnings`` of 13 cases (97, 117, 126, 129, 160, 164, 168, 176, 178, 187, 215,
218, 220); each was checked by hand: every one had a response (PR or CR) at its first assessable
assessment from day 7, and now reads E3 at its first non-CR assessment from day 29, or "not
refractory so far" with day 29 next.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from srgvhd.cli.main import main
from srgvhd.clinical.case import MEASUREMENT_FIELDS
from srgvhd.clinical.course import LEGACY_WARNING
from srgvhd.clinical.policy import STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY
from srgvhd.clinical.results import Response
from srgvhd.clinical.scores import Day28
from srgvhd.report import text as report_text
from srgvhd.report.text import CONDITIONAL_RISK_HEADING

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = FIXTURES.parents[1]
REFERENCE_MODELS = REPO / "srgvhd" / "risk" / "reference"
GOLDEN = json.loads((FIXTURES / "assess_golden.json").read_text(encoding="utf-8"))["cases"]
MODEL_IDENTITY = ("model_version", "model_card_sha256")
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.json"))


def _run(capsys: pytest.CaptureFixture, *argv: str) -> str:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _printed(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def _has_blanks(doc: dict[str, Any]) -> bool:
    """Whether a /1 document leaves a finding blank (absent or null)."""
    return any(
        a.get(key) is None
        for a in (item.get("measurements") for item in doc["assessments"])
        if a is not None
        for key in MEASUREMENT_FIELDS
    )


def _now_expected(golden: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The golden output plus the /2 contract's additions."""
    expected = json.loads(json.dumps(golden))
    expected["status"]["waiting"] = None
    if _has_blanks(doc):
        low_dose = doc["steroids"]["methylprednisolone_mg_per_kg_day"]
        at = int(low_dose < STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY)  # after the dose warning
        expected["warnings"].insert(at, LEGACY_WARNING)
    window = [a for a in golden["assessments"] if 28 <= a["day"] <= 35]
    if window:
        first = window[0]
        day28 = Day28(date.fromisoformat(first["date"]), first["day"], Response(first["response"]))
        risk = expected.pop("risk", None)  # scores come before risk
        expected["scores"] = {"easix": None, "map": None, "day28": day28.to_json()}
        if risk is not None:
            expected["risk"] = risk
    return expected


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
    blanks = [_has_blanks(c["case"]) for c in GOLDEN]
    assert 20 < sum(blanks) < len(GOLDEN)
    day28 = [
        c
        for c in GOLDEN
        if any(28 <= a["day"] <= 35 for a in c["expected"]["study"]["assessments"])
    ]
    assert len(day28) > 10


@pytest.mark.parametrize("index", range(len(GOLDEN)))
def test_json_output_is_byte_for_byte_unchanged(index: int, tmp_path: Path, capsys) -> None:
    entry = GOLDEN[index]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(entry["case"]), encoding="utf-8")
    for rules, expected in entry["expected"].items():
        out = _run(capsys, "assess", str(path), "--json", "--rules", rules, "--no-risk")
        assert out == _printed(_now_expected(expected, entry["case"])), rules


@pytest.mark.parametrize("rules", ["study", "ebmt2018"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_with_reference_model_unchanged(
    example: str, rules: str, capsys, monkeypatch
) -> None:
    # a "today" before every example's decision points: none is overdue (the headline would
    # say so first), so the table's verdict lines are comparable with the fixtures'
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 1, 1))
    case = str(REPO / "examples" / f"{example}.json")
    doc = json.loads(Path(case).read_text("utf-8"))
    common = ("--rules", rules, "--models-dir", str(REFERENCE_MODELS))
    golden = json.loads((FIXTURES / f"assess_{example}_{rules}.json").read_text("utf-8"))
    expected = _now_expected(golden, doc)
    actual = json.loads(_run(capsys, "assess", case, "--json", *common))
    actual_risk, expected_risk = actual.pop("risk"), expected.pop("risk")
    assert actual == expected
    # every golden key, in the same order (added keys are allowed), and every figure the same to
    # 1e-9; the model's identity (version, card digest) changes when the artifact is rebuilt
    assert [key for key in actual_risk if key in expected_risk] == list(expected_risk)
    figures = [key for key in expected_risk if key not in MODEL_IDENTITY]
    assert _same({k: actual_risk[k] for k in figures}, {k: expected_risk[k] for k in figures})
    table = _run(capsys, "assess", case, *common).splitlines()
    legacy_line = f"warning: {LEGACY_WARNING}"
    assert (legacy_line in table) == _has_blanks(doc)
    golden_table = (FIXTURES / f"assess_{example}_{rules}.txt").read_text("utf-8").splitlines()
    # the course part byte for byte; the risk part's wording belongs to the report formatters
    assert _course_part(_without_completeness([line for line in table if line != legacy_line])) == (
        _course_part([_headline_now(line) for line in golden_table])
    )
    assert any(line.startswith("Hazard ratio") for line in table)


COMPLETENESS = re.compile(r"^Day \d+ \(\d{4}-\d{2}-\d{2}\): ")


def _without_completeness(table: list[str]) -> list[str]:
    """The table without the lines added since the fixtures: which organs each assessment
    measured ("Day 4 (2026-11-05): all four organs measured.") and the blank line after them."""
    out: list[str] = []
    for line in table:
        if COMPLETENESS.match(line):
            continue
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out


def _headline_now(line: str) -> str:
    """A fixture's verdict line as the headline now words it: a steroid-refractory verdict is
    followed by what to do (clinical-rules.md §8.9: second-line therapy to be chosen)."""
    if line.startswith("Steroid-refractory by rule ") and line.endswith(")."):
        return line[:-1] + " — choose second-line therapy."
    return line


def _course_part(table: list[str]) -> list[str]:
    """The table's lines before the risk model's (stages, grades, responses, verdict)."""
    risk_starts = ("Hazard ratio", CONDITIONAL_RISK_HEADING)
    end = next(i for i, line in enumerate(table) if line.startswith(risk_starts))
    return table[:end]


def _same(a: Any, b: Any) -> bool:
    """Deep equality with floats compared to 1e-9 (as tests/test_reference_golden.py)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return a == b
