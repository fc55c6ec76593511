"""Artifacts are plain data: loading never runs code; old joblib artifacts are refused or
upgraded once; prediction imports neither lifelines nor scipy (tests/test_import_cost.py).

The hostile artifacts carry a pickle that would create a marker file when unpickled, with a card
(and pointer) whose SHA-256 matches: the checksum proves integrity, not authorship, so only the
format keeps the code from running. Each test first proves its payload is live.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from srgvhd.risk import store as store_module
from srgvhd.risk.card import LEGACY_CARD_FORMAT
from srgvhd.risk.model import ARTIFACT_FORMAT, ArtifactError, from_npz_bytes
from srgvhd.risk.predict import patient_risk
from srgvhd.risk.store import ModelStore, StoreError, card_bytes, sha256
from tests.conftest import REPO
from tests.test_risk_cli import run
from tests.test_store import saved_store

LEGACY = REPO / "tests" / "data" / "legacy_store"
LEGACY_VERSION = "20261125T150155Z-f2ef9d5a"
GOLDEN = json.loads((REPO / "tests" / "data" / "reference_risk_golden.json").read_text())


class _Payload:
    """Unpickling this creates ``marker`` (stands for any code an attacker would run)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _live_payload(marker: Path) -> bytes:
    """A pickle that creates ``marker``; proven to work on a sibling marker first."""
    probe = marker.with_name(marker.name + ".probe")
    pickle.loads(pickle.dumps(_Payload(probe)))
    assert probe.exists()
    probe.unlink()
    return pickle.dumps(_Payload(marker))


def _plant(root: Path, version: str, artifact: bytes, suffix: str, card_format: str) -> None:
    """Write an artifact with a card and active pointer whose SHA-256s all match."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{version}{suffix}").write_bytes(artifact)
    card = {
        "version": version,
        "created_at": "2026-01-01T00:00:00+00:00",
        "format": card_format,
        "artifact_sha256": sha256(artifact),
    }
    raw = card_bytes(card)
    (root / f"{version}.json").write_bytes(raw)
    pointer = {"version": version, "card_sha256": sha256(raw)}
    (root / "active.json").write_bytes(card_bytes(pointer))


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "code-ran"


def test_pickle_artifact_with_matching_checksums_is_refused_without_running(tmp_path, marker):
    root = tmp_path / "models"
    _plant(root, "evil", _live_payload(marker), ".npz", "srgvhd-model-card/2")
    store = ModelStore(root)
    with pytest.raises(StoreError, match="not a plain-data model artifact"):
        store.load("evil")
    with pytest.raises(StoreError, match="evil.npz"):
        store.activate("evil")
    model, warnings = store.load_active()  # falls back to the bundled reference model
    assert model.card.reference_model and "evil.npz" in warnings[0]
    assert not marker.exists()


def test_npz_holding_a_pickled_object_array_is_refused_without_running(tmp_path, marker):
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(marker)
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array(ARTIFACT_FORMAT), beta=payload)  # savez may pickle
    data = buffer.getvalue()
    with pytest.raises(ArtifactError, match="allow_pickle"):
        from_npz_bytes(data)
    _plant(tmp_path / "models", "evil", data, ".npz", "srgvhd-model-card/2")
    with pytest.raises(StoreError, match="cannot be read as a plain-data model artifact"):
        ModelStore(tmp_path / "models").load("evil")
    assert not marker.exists()


def test_legacy_joblib_artifact_is_refused_with_the_upgrade_command(tmp_path, marker):
    root = tmp_path / "models"
    _plant(root, "old", _live_payload(marker), ".joblib", LEGACY_CARD_FORMAT)
    with pytest.raises(StoreError, match="srgvhd models --upgrade"):
        ModelStore(root).load("old")
    assert not marker.exists()


def test_upgrade_refuses_a_hostile_joblib_artifact_without_running(tmp_path, marker, capsys):
    root = tmp_path / "models"
    _plant(root, "old", _live_payload(marker), ".joblib", LEGACY_CARD_FORMAT)
    before = sorted(p.name for p in root.iterdir())
    code, out, err = run(["models", "--upgrade", "--models-dir", str(root)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "old.joblib" in err and "pathlib" in err and "Path.touch" in err
    assert not marker.exists()
    assert sorted(p.name for p in root.iterdir() if p.name != ".lock") == before


def test_upgrade_converts_a_joblib_era_store_with_identical_figures(tmp_path, capsys):
    root = tmp_path / "models"
    shutil.copytree(LEGACY, root)
    with pytest.raises(StoreError, match="--upgrade"):
        ModelStore(root).load_active_strict()
    code, out, _ = run(["models", "--models-dir", str(root)], capsys)
    assert code == 0 and "[old joblib format: run srgvhd models --upgrade]" in out
    code, out, _ = run(["models", "--upgrade", "--models-dir", str(root)], capsys)
    assert code == 0 and out.startswith(
        f"upgraded 1 version(s) to the plain-data format: {LEGACY_VERSION}"
    )
    assert not (root / f"{LEGACY_VERSION}.joblib").exists()
    store = ModelStore(root)
    model = store.load_active_strict()  # pointer follows the rewritten card
    card = json.loads((root / f"{LEGACY_VERSION}.json").read_text())
    assert card["upgraded_from"]["artifact"] == f"{LEGACY_VERSION}.joblib"
    assert model.card.synthetic and model.card.reference_model
    for patient in GOLDEN["patients"]:
        risk = patient_risk(
            model,
            age_years=patient["age_years"],
            grade=patient["grade"],
            hemoglobin_g_l=patient["hemoglobin_g_l"],
        ).to_json()
        assert risk["hazard_ratio"] == pytest.approx(patient["hazard_ratio"], abs=1e-9, rel=0)
        assert risk["survival"] == patient["survival"]
    assert store.audit_log()[-1]["action"] == "upgrade to plain-data artifact"
    code, out, _ = run(["models", "--upgrade", "--models-dir", str(root)], capsys)
    assert code == 0 and out.startswith("upgraded 0 version(s)")  # once only


def test_save_never_overwrites_a_version_and_picks_a_free_name(tmp_path):
    store = saved_store(tmp_path, ("v1",))
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("v1")}
    model = store.load("v1")
    card = store.save(model, {**model.card.to_json(), "n": 1})
    assert card.version == "v1-2"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("v1.")} == {
        k: v for k, v in files.items() if k.startswith("v1.")
    }
    assert store.load("v1-2").card["n"] == 1


def test_a_version_file_is_created_exclusively(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        store_module.atomic_write(tmp_path / "x.npz", b"mine", exclusive=True)
    assert (tmp_path / "x.npz").read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]  # no temporary file left


HEAVY = ("lifelines", "scipy", "matplotlib", "streamlit", "sklearn", "joblib")


def test_assess_with_an_active_model_imports_no_lifelines_scipy_matplotlib_streamlit(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "SRGVHD_MODELS_DIR": str(REPO / "models")}
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "srgvhd.cli.main",
            "assess",
            str(REPO / "examples" / "refractory_r1.json"),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert json.loads(proc.stdout)["risk"]["hazard_ratio"] > 0  # the model was used
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "srgvhd.risk.predict" in imported
    loaded_heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert loaded_heavy == []
