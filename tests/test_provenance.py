"""Provenance (srgvhd.risk.provenance): a model retrained on the bundled synthetic cohort stays
marked synthetic — whatever the file's name, row order or dialect — and a centre's declared
source is on the card and in the banner."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.risk.card import ModelCard
from srgvhd.risk.cohort import read_cohort
from srgvhd.risk.provenance import (
    REFERENCE_COHORT_FINGERPRINT,
    REFERENCE_COHORT_SHA256,
    DataSource,
    cohort_fingerprint,
    is_reference_cohort,
)
from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.conftest import REPO
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort
from tests.test_risk_cli import run

BUNDLED = REPO / "training" / "reference_cohort.csv"
APP = str(REPO / "app.py")


def _disguised(raw: bytes) -> bytes:
    """The bundled cohort re-saved by someone else: rows reversed, columns reordered, optional
    columns dropped, numbers written as ``42.0``, CRLF line ends and a BOM."""
    df = pd.read_csv(io.BytesIO(raw))
    df = df.iloc[::-1][["os_days", "death", "patient_id", "grade", "hemoglobin_g_l", "age_years"]]
    df["age_years"] = df["age_years"].astype(float)
    text = df.to_csv(index=False, lineterminator="\r\n")
    return b"\xef\xbb\xbf" + text.encode()


def test_constants_are_those_of_the_bundled_cohort():
    raw = BUNDLED.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == REFERENCE_COHORT_SHA256
    assert cohort_fingerprint(read_cohort(raw)) == REFERENCE_COHORT_FINGERPRINT


def test_fingerprint_ignores_order_layout_and_encoding_but_not_values():
    raw = BUNDLED.read_bytes()
    disguised = _disguised(raw)
    assert hashlib.sha256(disguised).hexdigest() != REFERENCE_COHORT_SHA256
    assert cohort_fingerprint(read_cohort(disguised)) == REFERENCE_COHORT_FINGERPRINT
    changed = read_cohort(raw)
    changed.loc[0, "os_days"] += 1
    assert not is_reference_cohort(fingerprint=cohort_fingerprint(changed))


def test_semicolon_decimal_comma_dialect_gives_the_same_fingerprint():
    df = pd.read_csv(BUNDLED)
    text = df.to_csv(index=False, sep=";", decimal=",", float_format="%.1f")
    frame = read_cohort(text.encode())  # a refusal here is a regression of the dialect reader
    assert cohort_fingerprint(frame) == REFERENCE_COHORT_FINGERPRINT


def test_retrain_on_the_renamed_reordered_synthetic_cohort_stays_synthetic(tmp_path, capsys):
    path = tmp_path / "a_reference_cohort.csv"
    path.write_bytes(_disguised(BUNDLED.read_bytes()))
    root = tmp_path / "models"
    code, _, err = run(
        [
            "train",
            str(path),
            "--promote",
            "--allow-low-epv",
            "--centre",
            "Our ward",
            "--models-dir",
            str(root),
        ],
        capsys,
    )
    assert code == 0, err
    model = ModelStore(root).load_active_strict()
    assert model.card.synthetic is True and model.card.reference_model is False
    assert model.card["training_cohort_fingerprint"] == REFERENCE_COHORT_FINGERPRINT
    assert model.card.source_sentence() == "synthetic reference data"
    code, out, _ = run(["models", "--models-dir", str(root)], capsys)
    assert "[synthetic data]" in out and "[reference model]" not in out


def test_centre_cohort_records_its_declared_source(tmp_path, capsys):
    path = tmp_path / "ward.csv"
    path.write_bytes(cohort_csv(synthetic_cohort(150, seed=1)))
    root = tmp_path / "models"
    code, _, err = run(
        [
            "train",
            str(path),
            "--promote",
            "--centre",
            "Ward 7",
            "--period",
            "2019-2024",
            "--models-dir",
            str(root),
        ],
        capsys,
    )
    assert code == 0, err
    card = ModelStore(root).load_active_strict().card
    assert card.synthetic is False
    assert card["training_file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert card.data_source.centre == "Ward 7" and card.data_source.period == "2019-2024"
    assert card.data_source.declared_by  # the OS user by default
    assert card.source_sentence() == "centre data: Ward 7, 2019-2024"


def test_card_older_than_the_synthetic_field_is_judged_by_its_training_file():
    base = {"version": "v", "artifact_sha256": "0" * 64, "format": "srgvhd-model-card/1"}
    assert ModelCard.from_json({**base, "training_file_sha256": REFERENCE_COHORT_SHA256}).synthetic
    assert not ModelCard.from_json({**base, "training_file_sha256": "1" * 64}).synthetic


def _banner(root: Path, monkeypatch) -> list[str]:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return [as_read(e.value) for e in [*at.warning, *at.info]]


@pytest.mark.parametrize(
    ("synthetic", "words"),
    [(True, "synthetic reference data"), (False, "centre data: Ward 7, 2019-2024")],
)
def test_banner_says_synthetic_or_centre_data(tmp_path, monkeypatch, synthetic, words):
    data = _disguised(BUNDLED.read_bytes()) if synthetic else cohort_csv(synthetic_cohort(150))
    root = tmp_path / "models"
    card = train_from_csv(
        data,
        store=ModelStore(root),
        promote=True,
        allow_low_epv=True,
        source_name="x.csv",
        data_source=DataSource(centre="Ward 7", period="2019-2024", declared_by="dm"),
    )
    banner = [b for b in _banner(root, monkeypatch) if f"Risk model {card['version']}" in b]
    assert len(banner) == 1 and words in banner[0]
