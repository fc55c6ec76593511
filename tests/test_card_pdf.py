"""The model card as a PDF (srgvhd.report.card_pdf) and
`srgvhd models --card-pdf VERSION --out FILE.pdf`."""

from __future__ import annotations

import io
import re
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from srgvhd.report.card_pdf import build_card_pdf
from srgvhd.report.card_text import decision_summary
from srgvhd.report.vega import decision_curve_spec
from srgvhd.risk.calibration import NetBenefit, calibration_by_thirds
from srgvhd.risk.card import ModelCard
from srgvhd.risk.provenance import DataSource
from srgvhd.risk.store import REFERENCE_DIR, ModelStore
from srgvhd.risk.train import train_from_csv
from tests.test_predict import cohort_csv, synthetic_cohort
from tests.test_risk_cli import run

A4_POINTS = (595.28, 841.89)
SOURCE = DataSource("Hôpital Saint-Louis, Paris", "2019–2024", "dm@example.org")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ModelStore:
    return ModelStore(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def centre_card(store) -> ModelCard:
    return train_from_csv(
        cohort_csv(synthetic_cohort(150, seed=1)),
        store=store,
        source_name="centre.csv",
        data_source=SOURCE,
    )


@pytest.fixture(scope="module")
def reference_card() -> ModelCard:
    return ModelStore(REFERENCE_DIR).load_active_strict().card


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_two_a4_pages_and_the_same_card_gives_the_same_bytes(centre_card) -> None:
    pdf = build_card_pdf(centre_card)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            A4_POINTS, abs=0.01
        )
    assert build_card_pdf(centre_card) == pdf


def test_provenance_as_declared_with_the_file_digest_and_dialect(centre_card) -> None:
    text = pages(build_card_pdf(centre_card))[0]
    assert "centre data: Hôpital Saint-Louis, Paris, 2019–2024" in text
    assert (
        "As declared at upload: centre Hôpital Saint-Louis, Paris  ·  period 2019–2024  ·  "
        "declared by dm@example.org"
    ) in text
    assert f"Training file: centre.csv  ·  SHA-256 {centre_card.training_file_sha256}" in text
    assert f"Read as: {centre_card['dialect']['description']}" in text
    assert f"n = 150 patients, {centre_card.events} deaths, 5 coefficients" in text


def _rows(text: str, group: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(group)]


def _expected(row: dict) -> str:
    """A calibration row as printed, formatted here independently of the page's helpers."""
    pct = "{:.0f}%".format
    return (
        f"{row['group']} {row['n']} {row['events']} {row['at_risk']} "
        f"{pct(100 * row['predicted'])} {pct(100 * row['observed'])} "
        f"({pct(100 * row['observed_lower'])}–{pct(100 * row['observed_upper'])})"
    )


def test_calibration_tables_print_the_card_figures_cross_validated_then_apparent(
    centre_card,
) -> None:
    text = pages(build_card_pdf(centre_card))[1]
    metrics = centre_card["metrics"]
    assert text.index("Day 180") < text.index("Day 365")
    for day in ("180", "365"):
        block = text[text.index(f"Day {day}") :]
        cross, apparent = metrics["calibration_cv"][day], metrics["calibration"][day]
        for cv_row, apparent_row in zip(cross, apparent, strict=True):
            printed = _rows(block, cv_row["group"])
            # the first line of the group is the cross-validated one, the second the apparent
            assert printed[0].startswith(_expected(cv_row))
            assert printed[1].startswith(_expected(apparent_row))
        table = block[: block.index("Apparent")]
        assert (
            table.index("lowest risk third")
            < table.index("middle risk third")
            < table.index("highest risk third")
        )


def test_a_calibration_figure_computed_by_hand_is_printed(centre_card) -> None:
    """tests/test_calibration.py's small cohort: the lowest-risk third (patients predicted 0.9
    and 0.8) has mean predicted survival 85% and Kaplan–Meier survival 1/2 at day 25."""
    groups = calibration_by_thirds(
        np.array([10, 20, 20, 30, 40, 50]),
        np.array([1, 1, 0, 1, 0, 1]),
        np.array([0.9, 0.5, 0.8, 0.4, 0.7, 0.6]),
        25,
    )
    data = centre_card.to_json()
    rows = [{k: None if v != v else v for k, v in asdict(g).items()} for g in groups]  # NaN
    metrics = {**data["metrics"], "calibration_cv": {"180": rows, "n": 6}}
    card = ModelCard.from_json({**data, "metrics": metrics})
    text = pages(build_card_pdf(card))[1]
    assert "Cross-validated: 6 patients each scored" in text
    lowest = _rows(text[text.index("Day 180") :], "lowest risk third")[0]
    assert re.match(r"lowest risk third 2 1 0 85% 50% \(\d+%–\d+%\)", lowest), lowest
    middle = _rows(text[text.index("Day 180") :], "middle risk third")[0]
    assert middle == "middle risk third 2 1 2 65% 100% (no interval)"


def test_hazard_ratios_beside_the_published_ones(centre_card) -> None:
    text = pages(build_card_pdf(centre_card))[0]
    grade_iv = next(c for c in centre_card["coefficients"] if c["name"] == "grade_IV")
    line = next(line for line in text.splitlines() if line.startswith("grade IV vs III"))
    assert line == (
        f"grade IV vs III {grade_iv['hazard_ratio']:.2f} ({grade_iv['hr_lower']:.2f}–"
        f"{grade_iv['hr_upper']:.2f}) {grade_iv['p']:.3f} 5.63 (1.09–29.09)"
    )
    assert "doi:10.1080/10428194.2026.2634172" in text


def test_discrimination_and_decision_curve(centre_card) -> None:
    text = pages(build_card_pdf(centre_card))[0]
    metrics = centre_card["metrics"]
    assert f"apparent {metrics['concordance_apparent']:.2f}, cross-validated " in text
    by_day = metrics["concordance_by_day"]["365"]
    assert (
        f"365: apparent {by_day['apparent']:.2f}, cross-validated {by_day['cross_validated']:.2f}"
    ) in text
    points = metrics["decision_curve_cv"]["365"]
    first = f"10% {points[0]['high_risk']} {points[0]['model']:.3f} {points[0]['treat_all']:.3f}"
    assert first in text and len(points) == 9


def test_synthetic_warning_only_for_the_reference_card(centre_card, reference_card) -> None:
    reference = pages(build_card_pdf(reference_card))
    assert all("SYNTHETIC DATA" in page for page in reference)
    assert "synthetic reference data" in reference[0]
    assert "retrain on your centre's data before clinical use" in reference[1]  # statement
    centre = "".join(pages(build_card_pdf(centre_card)))
    assert "SYNTHETIC" not in centre and "synthetic reference data" not in centre


def test_a_card_without_cross_validated_calibration_says_so(reference_card) -> None:
    data = reference_card.to_json()
    metrics = {
        k: v
        for k, v in data["metrics"].items()
        if k not in ("calibration_cv", "decision_curve_cv", "concordance_by_day")
    }
    text = "".join(pages(build_card_pdf(ModelCard.from_json({**data, "metrics": metrics}))))
    assert "Cross-validated: not computed for this version" in text
    assert "Decision curve at day 365 (cross-validated)\nNot computed for this version" in text


def test_complete_rows_are_counted_never_listed(store) -> None:
    lines = cohort_csv(synthetic_cohort(150, seed=3)).decode().splitlines()
    hb = lines[0].split(",").index("hemoglobin_g_l")
    left_out = []
    for i in (4, 9):
        cells = lines[i].split(",")
        left_out.append(cells[0])
        cells[hb] = ""
        lines[i] = ",".join(cells)
    card = train_from_csv(("\n".join(lines) + "\n").encode(), store=store, complete_rows=True)
    text = "".join(pages(build_card_pdf(card)))
    assert "used; 2 rows left out, empty cells: hemoglobin_g_l 2" in text
    assert not any(patient in text for patient in left_out)


def test_cli_writes_the_pdf_and_refuses_an_unknown_version(
    centre_card, store, tmp_path, capsys
) -> None:
    out = tmp_path / "card.pdf"
    models = ["--models-dir", str(store.root)]
    code, stdout, err = run(
        ["models", "--card-pdf", centre_card.version, "--out", str(out), *models], capsys
    )
    assert code == 0, err
    assert stdout == f"wrote the model card of {centre_card.version}: {out}\n"
    assert out.read_bytes() == build_card_pdf(centre_card)
    missing = tmp_path / "missing.pdf"
    code, stdout, err = run(
        ["models", "--card-pdf", "nope", "--out", str(missing), *models], capsys
    )
    assert (code, stdout) == (2, "") and err.count("\n") == 1 and "nope.json: is missing" in err
    assert not missing.exists()


def test_cli_needs_out_and_falls_back_to_the_bundled_reference_card(
    reference_card, tmp_path, capsys
) -> None:
    models = ["--models-dir", str(tmp_path / "empty")]
    code, stdout, err = run(["models", "--card-pdf", reference_card.version, *models], capsys)
    assert (code, stdout) == (2, "") and err.startswith("--out: is required")
    out = tmp_path / "reference.pdf"
    code, _, err = run(
        ["models", "--card-pdf", reference_card.version, "--out", str(out), *models], capsys
    )
    assert code == 0, err
    assert "SYNTHETIC DATA" in pages(out.read_bytes())[0]
    code, stdout, err = run(["models", "--out", str(out), *models], capsys)
    assert (code, stdout) == (2, "") and err.startswith("--out: is used only with --card-pdf")


def test_cli_out_to_a_missing_directory_exits_2(reference_card, tmp_path, capsys) -> None:
    out = Path(tmp_path / "no" / "card.pdf")
    code, stdout, err = run(
        [
            "models",
            "--card-pdf",
            reference_card.version,
            "--out",
            str(out),
            "--models-dir",
            str(tmp_path),
        ],
        capsys,
    )
    assert (code, stdout) == (2, "") and "--out: cannot write" in err


def test_decision_curve_chart_keeps_the_curves_in_view() -> None:
    """Treat-everyone falls to −2.9 at 90%: the y axis stays on the curves that matter (from a
    quarter of the largest net benefit below zero) and a line stops where it leaves the axis."""
    points = [
        NetBenefit(threshold=0.1, high_risk=150, model=0.571, treat_all=0.571),
        NetBenefit(threshold=0.5, high_risk=102, model=0.166, treat_all=0.228),
        NetBenefit(threshold=0.9, high_risk=5, model=-0.033, treat_all=-2.858),
    ]
    spec = decision_curve_spec(points)
    low = -0.571 / 4
    assert spec["encoding"]["y"]["scale"]["domain"] == [pytest.approx(low), 0.571]
    values = spec["data"]["values"]
    assert all(v["net benefit"] >= low - 1e-12 for v in values)
    everyone = [v for v in values if v["strategy"] == "treat everyone"]
    # 0.228 at 50% to −2.858 at 90%: crosses the axis's bottom at 50% + 40% · (0.228 − low)/3.086
    assert [v["marker"] for v in everyone] == [True, True, False]
    assert everyone[-1]["threshold"] == pytest.approx(0.5 + 0.4 * (0.228 - low) / 3.086)
    assert everyone[-1]["net benefit"] == pytest.approx(low)
    model = [v for v in values if v["strategy"] == "model: high risk"]
    assert [(v["threshold"], v["net benefit"]) for v in model] == [
        (0.1, 0.571),
        (0.5, 0.166),
        (0.9, -0.033),
    ]
    flat = decision_curve_spec([replace(p, model=0.0, treat_all=-1.0) for p in points])
    assert flat["encoding"]["y"]["scale"]["domain"] == [-0.05, 0.05]


def test_decision_summary_names_the_thresholds_where_the_model_helps() -> None:
    points = [
        NetBenefit(threshold=0.1, high_risk=9, model=0.571, treat_all=0.571),  # a tie: not better
        NetBenefit(threshold=0.4, high_risk=6, model=0.358, treat_all=0.357),
        NetBenefit(threshold=0.9, high_risk=1, model=-0.033, treat_all=-2.858),  # below no one
    ]
    assert decision_summary(points).endswith("at thresholds 40% (of 3 examined).")
    assert decision_summary(points[:1]).startswith("At no threshold")


def test_cli_card_pdf_in_the_asked_language(centre_card, store, tmp_path, capsys) -> None:
    out = tmp_path / "carte.pdf"
    models = ["--models-dir", str(store.root)]
    code, stdout, err = run(
        ["models", "--card-pdf", centre_card.version, "--out", str(out), "--lang", "fr", *models],
        capsys,
    )
    assert code == 0, err
    assert out.read_bytes() == build_card_pdf(centre_card, lang="fr")
    assert out.read_bytes() != build_card_pdf(centre_card, lang="en")
    assert "modèle" in "".join(pages(out.read_bytes())).lower()
    code, stdout, err = run(
        ["models", "--card-pdf", centre_card.version, "--out", str(out), "--lang", "xx", *models],
        capsys,
    )
    assert (code, stdout) == (2, "") and err.startswith("--lang: 'xx' is not a language")
    code, stdout, err = run(["models", "--lang", "fr", *models], capsys)
    assert (code, stdout) == (2, "") and err.startswith("--lang: is used only with --card-pdf")
