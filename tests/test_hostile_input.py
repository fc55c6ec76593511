"""Hostile input (interfaces.md §3): cohort files from other systems, formula cells, HTML, Markdown.

* A structured fuzz of the cohort-CSV validator (``SRGVHD_FUZZ_EXAMPLES``, default 10,000): valid
  files salted with hostile cells — spreadsheet formulas, HTML, Markdown, huge and exotic numbers,
  unicode, control characters, NUL bytes — with a BOM or not, CRLF or LF, quoted or not, and
  wrong encodings. Only refusals with a field or row, never another exception; every formula-like
  patient_id is named by row and column. (tests/test_cohort.py fuzzes random bytes and random
  grids; this one keeps the schema so the hostile cells reach the cell checks.)
* Formula-like cells never leave the app unescaped: ``srgvhd train`` and ``score`` refuse them by
  row and column; the ``score`` CSV export prefixes anything a spreadsheet would run with an
  apostrophe even if one got past validation (OWASP "CSV injection"); the PDF summary never prints
  text from the cohort file.
* HTML and Markdown in text that reaches the UI (uploaded file names, refusal messages quoting
  a cell) are shown as text: a text/code element, or a Markdown element in which the syntax is
  escaped — never live Markdown or raw HTML.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from srgvhd.cli.main import main as cli_main
from srgvhd.clinical.case import load_case
from srgvhd.errors import InputError
from srgvhd.report.summary import build_summary_pdf
from srgvhd.risk import cohort as cohort_module
from srgvhd.risk.cohort import read_cohort
from srgvhd.risk.patient import assess_patient
from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_app_pages import fit_and_wait
from tests.test_predict import cohort_csv, synthetic_cohort

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
FUZZ_EXAMPLES = int(os.environ.get("SRGVHD_FUZZ_EXAMPLES", "10000"))

# OWASP "CSV Injection": a cell starting with = + - @ (or tab / carriage return before one) is run
# as a formula by Excel, LibreOffice and Google Sheets; the defence is a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BRIEF_FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(1)")
HOSTILE_NAME = "<script>alert(1)</script>**bold**[x](javascript:alert(1)).csv"
# Raw Markdown/HTML syntax that must never reach a Markdown-rendered element unescaped.
LIVE_SYNTAX = ("<script>", "<img", "**bold**", "](javascript:")

REQUIRED = ("patient_id", "age_years", "grade", "hemoglobin_g_l", "os_days", "death")
OPTIONAL = ("arm", "pfs_days", "pfs_event", "cr_week4")
WHERE = re.compile(r"^(file|column [^,]+|row \d+|row \d+, column [a-z_0-9]+)$")


# ---------------------------------------------------------------- fuzz: structured hostile CSVs

VALID = {
    "patient_id": lambda r: f"p{r.randrange(10**6)}",
    "age_years": lambda r: r.choice(["0", "17.9", "18", "34", "35", "42.5", "120"]),
    "grade": lambda r: r.choice(["II", "III", "IV", "2", "3", "4", "iv"]),
    "hemoglobin_g_l": lambda r: r.choice(["20", "90", "90.0", "91", "250"]),
    "os_days": lambda r: str(r.randrange(0, 2000)),
    "death": lambda r: r.choice(["0", "1"]),
    "arm": lambda r: r.choice(["MSC", "standard", "msc"]),
    "pfs_days": lambda r: str(r.randrange(0, 2000)),
    "pfs_event": lambda r: r.choice(["0", "1"]),
    "cr_week4": lambda r: r.choice(["0", "1"]),
}
HOSTILE = [
    *BRIEF_FORMULAS,
    '=HYPERLINK("http://x","y")',
    "\t=1",
    " =1",
    "\r=1",
    "\xa0=1",
    "=1+1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold**",
    "# head",
    "[x](javascript:alert(1))",
    "</td><td>",
    "&lt;b&gt;",
    "`code`",
    "1e308",
    "1e309",
    "-1e309",
    "9" * 400,
    "0x10",
    "1_000",
    "NaN",
    "inf",
    "-0",
    "1e-400",
    "٣٥",
    "４２",
    "1,5",
    "2.",
    ".5",
    "+5",
    " 42 ",
    "42abc",
    "ü",
    "名字",
    "\u202eevil",
    "\ufeff",
    "\u200b",
    "🙂",
    "Ω" * 50,
    "\u2028",
    "a\u0301",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\x01",
    '"',
    '""',
    "a,b",
    "line\nbreak",
    "'",
    "",
    " ",
]


def _valid(column: str, rng: random.Random) -> str:
    """A valid cell of ``column`` (a free-text extra column gets a day count)."""
    return VALID.get(column, VALID["os_days"])(rng)


def hostile_cell(rng: random.Random) -> str:
    """A hostile cell; now and then a very long one."""
    if rng.random() < 0.03:
        return (rng.choice(HOSTILE) * rng.randrange(100, 3000))[:20_000]
    return rng.choice(HOSTILE)


def hostile_csv(rng: random.Random) -> tuple[bytes, list[dict[str, str]]]:
    """A cohort file with the required header, mostly valid rows and some hostile cells.

    Returns the bytes and the rows as written (column -> cell, before encoding), in file order.
    """
    columns = list(REQUIRED) + rng.sample(OPTIONAL, rng.randrange(len(OPTIONAL) + 1))
    if rng.random() < 0.2:
        columns.append(rng.choice(["notes", "<b>x</b>", "=extra", "名字"]))
    rng.shuffle(columns)
    rows = []
    salt = rng.choice([0.0, 0.03, 0.1, 0.3])  # share of hostile cells in this file
    for _ in range(rng.randrange(0, 9)):
        rows.append(
            [
                hostile_cell(rng) if rng.random() < salt else _valid(column, rng)
                for column in columns
            ]
        )
    newline = rng.choice(["\n", "\r\n"])
    needs_quotes = any("\r" in cell or "\n" in cell for row in rows for cell in row)
    quoting = csv.QUOTE_ALL if needs_quotes else rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    writer.writerow(columns)
    writer.writerows(rows)
    text = ("\ufeff" if rng.random() < 0.2 else "") + buffer.getvalue()
    encoding = rng.choices(["utf-8", "utf-16", "cp1252"], weights=[90, 5, 5])[0]
    data = text.encode(encoding, errors="replace")
    return data, [dict(zip(columns, row, strict=True)) for row in rows]


def _looks_like_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) or cell.strip().startswith(FORMULA_STARTS)


def _check_refusal(exc: InputError, data: bytes, rows: list[dict[str, str]]) -> None:
    wheres = [p.where for p in exc.problems]
    assert all(WHERE.match(w) for w in wheres), wheres
    assert all(p.what.strip() and len(str(p)) < 400 for p in exc.problems)  # no cell echoed whole
    try:  # what read_cohort accepts: UTF-16 with its BOM, UTF-8 with or without one
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        assert wheres == ["file"]
        return
    if "\x00" in text:
        assert wheres == ["file"]
        return
    if any(", column " in w for w in wheres):  # the cells were checked: every formula id is named
        for number, row in enumerate(rows, start=2):
            if _looks_like_formula(row["patient_id"]):
                assert f"row {number}, column patient_id" in wheres, (number, wheres)


@pytest.mark.slow
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.integers(0, 2**64 - 1))
def test_fuzz_hostile_cohort_files_are_read_or_refused_by_field(seed) -> None:
    """A failure prints the seed; ``hostile_csv(random.Random(seed))`` rebuilds the file."""
    data, rows = hostile_csv(random.Random(seed))
    try:
        frame = read_cohort(data)
    except InputError as exc:
        _check_refusal(exc, data, rows)
        return
    patients = [row for row in rows if any(cell.strip() for cell in row.values())]
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(patients) >= 2
    assert not any(_looks_like_formula(pid) for pid in frame["patient_id"])
    assert frame["age_years"].between(0, 120).all()
    assert frame["hemoglobin_g_l"].between(20, 250).all()
    assert set(frame["grade"]) <= {"II", "III", "IV"}


def test_fuzz_reaches_accepted_files_and_formula_refusals() -> None:
    """The generator is not vacuous: it makes files that pass and files refused for a formula."""
    rng = random.Random(5)
    accepted = formula_refusals = 0
    for _ in range(400):
        data, _ = hostile_csv(rng)
        try:
            read_cohort(data)
            accepted += 1
        except InputError as exc:
            formula_refusals += any("formula" in p.what for p in exc.problems)
    assert accepted >= 20 and formula_refusals >= 20, (accepted, formula_refusals)


# ---------------------------------------------------------------- formulas: CLI refusal, export


COHORT = cohort_csv(synthetic_cohort(150, seed=4))


def _with_first_id(patient_id: str) -> bytes:
    """The synthetic cohort with the first patient's id (spreadsheet row 2) replaced."""
    buffer = io.StringIO()
    rows = list(csv.reader(io.StringIO(COHORT.decode())))
    rows[1][0] = patient_id
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "models"
    train_from_csv(COHORT, store=ModelStore(root), promote=True, source_name=HOSTILE_NAME)
    return root


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli_main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["train", "score"])
@pytest.mark.parametrize("formula", BRIEF_FORMULAS)
def test_cli_refuses_formula_ids_by_row_and_column(
    command, formula, models, tmp_path, capsys
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(_with_first_id(formula))
    before = sorted(p.name for p in models.iterdir())
    code, out, err = _cli([command, str(path), "--models-dir", str(models)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "row 2, column patient_id" in err and "formula" in err
    assert sorted(p.name for p in models.iterdir()) == before


def _read_export(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_score_export_has_no_live_formula_and_keeps_odd_ids(models, tmp_path, capsys) -> None:
    odd_ids = ["<script>alert(1)</script>", "a=1+2", 'say "hi", ok', "名字|cmd", "x\ny"]
    rows = list(csv.reader(io.StringIO(COHORT.decode())))
    for row, odd in zip(rows[1:], odd_ids, strict=False):
        row[0] = odd
    source, out = tmp_path / "odd.csv", tmp_path / "scores.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    source.write_text(buffer.getvalue(), encoding="utf-8")
    code, _, _ = _cli(
        ["score", str(source), "--out", str(out), "--models-dir", str(models)], capsys
    )
    exported = _read_export(out)
    assert code == 0
    assert [r["patient_id"] for r in exported[: len(odd_ids)]] == odd_ids
    for row in exported:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell


def test_score_export_escapes_a_formula_that_got_past_validation(
    models, tmp_path, monkeypatch, capsys
) -> None:
    """Defence in depth: if the validator ever lets a formula through, the export defuses it."""
    real_read = cohort_module.read_cohort

    def lenient(source, **kwargs):
        frame = real_read(source, **kwargs)
        frame.loc[: len(BRIEF_FORMULAS) - 1, "patient_id"] = list(BRIEF_FORMULAS)
        return frame

    monkeypatch.setattr(cohort_module, "read_cohort", lenient)
    source, out = tmp_path / "cohort.csv", tmp_path / "scores.csv"
    source.write_bytes(COHORT)
    code, _, _ = _cli(
        ["score", str(source), "--out", str(out), "--models-dir", str(models)], capsys
    )
    assert code == 0
    ids = [r["patient_id"] for r in _read_export(out)]
    assert ids[: len(BRIEF_FORMULAS)] == ["'" + f for f in BRIEF_FORMULAS]


def test_pdf_never_prints_text_from_the_cohort_file(models) -> None:
    """The model card of a model trained from a file with a formula/HTML name is on the PDF only
    by version and digest; the file's name never reaches it."""
    model, _ = ModelStore(models).load_active()
    assert model.card["training_file_name"] == HOSTILE_NAME
    case = load_case(REPO / "examples" / "refractory_r2.json")
    result = assess_patient(case, model)
    pdf = build_summary_pdf(case, result, model)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert model.card["version"] in text  # the card did reach the PDF
    assert "alert(1)" not in text and "javascript" not in text and "cmd|" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith(("=", "@", "+"))]


# ---------------------------------------------------------------- HTML / Markdown shown as text

MARKDOWN_KINDS = (
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "title",
    "header",
    "subheader",
)
TEXT_KINDS = ("code", "text")


def _texts(at: AppTest, kinds: tuple[str, ...]) -> list[str]:
    return [str(element.value) for kind in kinds for element in at.get(kind)]


def _live(markdown: str) -> str:
    """The Markdown with every backslash-escaped character blanked: what stays is live syntax."""
    return re.sub(r"\\.", "\x00", markdown, flags=re.DOTALL)


def _assert_shown_as_text(at: AppTest, marker: str) -> None:
    """``marker`` is visible somewhere, and no Markdown-rendered element holds live syntax.

    Escaping the syntax (``\\*\\*``, ``&lt;``) or using a text/code element both pass.
    """
    everything = [as_read(t) for t in _texts(at, MARKDOWN_KINDS)] + _texts(at, TEXT_KINDS)
    assert any(marker in text for text in everything), "the hostile text is not shown at all"
    live = [t for t in _texts(at, MARKDOWN_KINDS) if any(s in _live(t) for s in LIVE_SYNTAX)]
    assert live == [], f"rendered as Markdown/HTML instead of text: {live}"


def _app(root: Path, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=30).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def test_model_page_refusal_quoting_html_cells_is_text(tmp_path, monkeypatch) -> None:
    lines = COHORT.decode().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("age_years")] = "<img src=x onerror=alert(1)>"
    cells[header.index("grade")] = "**bold**"
    lines[1] = ",".join(cells)
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value(
        ("bad.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    ).run()
    fit_and_wait(at)
    assert any("row 2, column grade" in as_read(c) for c in _texts(at, ("error",)))
    _assert_shown_as_text(at, "**bold**")


def test_model_page_shows_an_uploaded_file_name_as_text(tmp_path, monkeypatch) -> None:
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value((HOSTILE_NAME, COHORT, "text/csv")).run()
    fit_and_wait(at)
    _assert_shown_as_text(at, "alert(1)")


def test_banner_shows_the_training_file_name_as_text(models, monkeypatch) -> None:
    at = _app(models, monkeypatch)
    _assert_shown_as_text(at, "alert(1)")


def test_assess_page_refusal_quoting_case_text_is_text(tmp_path, monkeypatch) -> None:
    case = json.loads((REPO / "examples" / "refractory_r2.json").read_text(encoding="utf-8"))
    case["patient"]["hemoglobin"]["unit"] = "<script>alert(1)</script>**bold**"
    at = _app(tmp_path / "models", monkeypatch, "views/assess.py")
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("case.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert not at.exception
    assert any("patient.hemoglobin.unit" in t for t in _texts(at, MARKDOWN_KINDS + TEXT_KINDS))
    _assert_shown_as_text(at, "alert(1)")
