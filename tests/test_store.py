"""Model store: versions, cards, active pointer, audit log, SHA-256 checks, fallback (store.py)."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import pickle
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srgvhd.risk import store as store_module
from srgvhd.risk.model import ARRAY_NAMES, RiskModel
from srgvhd.risk.predict import patient_risk
from srgvhd.risk.store import ModelStore, StoreError
from tests.test_predict import make_model, synthetic_cohort


def card_for(version: str, df: pd.DataFrame, **extra) -> dict:
    """A minimal model card (the store adds format and artifact_sha256)."""
    return {
        "version": version,
        "created_at": extra.pop("created_at", "2026-01-01T00:00:00+00:00"),
        "training_file_sha256": "ab" * 32,
        "n": len(df),
        "events": int(df["death"].sum()),
        **extra,
    }


def saved_store(root: Path, versions: tuple[str, ...] = ("v1",), seed: int = 1) -> ModelStore:
    """A store holding ``versions`` (each a fit on a different synthetic cohort), first active."""
    store = ModelStore(root)
    for i, version in enumerate(versions):
        df = synthetic_cohort(120, seed=seed + i)
        model, _, _ = make_model(df)
        store.save(model, card_for(version, df, created_at=f"2026-01-0{i + 1}T00:00:00+00:00"))
    store.activate(versions[0], who="tester")
    return store


def predict(model: RiskModel) -> dict:
    return patient_risk(model, age_years=40, grade="IV", hemoglobin_g_l=80).to_json()


@pytest.fixture
def reference_dir(tmp_path, monkeypatch) -> Path:
    """A bundled-reference store in a temporary directory, patched in as REFERENCE_DIR."""
    ref = tmp_path / "reference"
    saved_store(ref, ("ref1",), seed=40)
    monkeypatch.setattr(store_module, "REFERENCE_DIR", ref)
    return ref


@pytest.fixture
def unpickle_calls(monkeypatch) -> list:
    """Records every artifact the store reads as a model (to prove a bad file is never read);
    tests clear it after their setup, since activation itself loads the model it activates."""
    calls: list = []
    real = store_module.from_npz_bytes

    def spy(data, *args, **kwargs):
        calls.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(store_module, "from_npz_bytes", spy)
    return calls


# ---- the artifact holds no per-patient data -------------------------------------------------


def test_saved_artifact_contains_no_per_patient_array(tmp_path):
    df = synthetic_cohort(137, seed=11)  # odd n, unlikely to equal any other length
    model, cph, _ = make_model(df)
    assert len(cph.durations) == 137  # the lifelines fit does hold them
    store = ModelStore(tmp_path)
    store.save(model, card_for("v1", df))
    raw = (tmp_path / "v1.npz").read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    assert set(arrays) == set(ARRAY_NAMES)
    assert 137 not in {a.shape[0] for a in arrays.values() if a.ndim}
    # No training duration array, in any dtype lifelines or pandas might use.
    durations = df["os_days"].to_numpy()
    for dtype in (np.float64, np.int64):
        assert durations.astype(dtype).tobytes() not in raw
    # Censoring times (days on which nobody died) appear nowhere in the model's arrays.
    censored_only = set(df.loc[df.death == 0, "os_days"]) - set(df.loc[df.death == 1, "os_days"])
    assert censored_only
    for values in arrays.values():
        if values.dtype.kind in "if":
            assert not set(values.ravel().tolist()) & (censored_only - {df["os_days"].max()})
    assert len(raw) < len(pickle.dumps(cph))


# ---- versions, pointer, audit ---------------------------------------------------------------


def test_save_and_load_round_trip_gives_same_prediction(tmp_path):
    df = synthetic_cohort(120, seed=2)
    model, _, _ = make_model(df)
    store = ModelStore(tmp_path)
    card = store.save(model, card_for("v1", df))
    loaded = store.load("v1")
    assert predict(loaded)["survival"] == predict(model)["survival"]
    assert loaded.card == card and card["format"] == "srgvhd-model-card/2"
    assert store.active_version() is None  # saving does not activate


def test_list_versions_newest_first_with_active_flag(tmp_path):
    store = saved_store(tmp_path, ("v1", "v2", "v3"))
    listed = store.list_versions()
    assert [c["version"] for c in listed] == ["v3", "v2", "v1"]
    assert [c["active"] for c in listed] == [False, False, True]


def test_each_activation_appends_one_audit_line(tmp_path):
    store = saved_store(tmp_path, ("v1", "v2"))
    store.activate("v2", who="dr a")
    store.activate("v1")
    log = store.audit_log()
    assert [(e["from_version"], e["to_version"]) for e in log] == [
        (None, "v1"),
        ("v1", "v2"),
        ("v2", "v1"),
    ]
    assert [e["who"] for e in log] == ["tester", "dr a", f"{getpass.getuser()} (OS user)"]
    assert all(e["action"] == "activate" and e["training_file_sha256"] == "ab" * 32 for e in log)
    assert datetime.fromisoformat(log[-1]["when"]).utcoffset().total_seconds() == 0
    assert store.active_version() == "v1"
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 6 and all(json.loads(line) for line in lines)  # intent + outcome each
    assert all(e["outcome"] == "completed" for e in log)


def test_active_model_card_hash_is_reported(tmp_path):
    store = saved_store(tmp_path)
    model, warnings = store.load_active()
    assert warnings == []
    expected = hashlib.sha256((tmp_path / "v1.json").read_bytes()).hexdigest()
    assert predict(model)["model_card_sha256"] == expected
    assert predict(model)["model_version"] == "v1"


@pytest.mark.parametrize("version", ["../evil", "", "a/b", ".hidden"])
def test_activate_refuses_bad_version_names(tmp_path, version):
    store = saved_store(tmp_path)
    with pytest.raises(StoreError) as info:
        store.activate(version)
    assert info.value.problems[0].where == "version"
    assert store.active_version() == "v1"


def test_activate_unknown_version_is_refused_and_pointer_unchanged(tmp_path):
    store = saved_store(tmp_path)
    with pytest.raises(StoreError, match="v9.json: is missing"):
        store.activate("v9")
    assert store.active_version() == "v1" and len(store.audit_log()) == 1


# ---- tampering: never unpickle a bad file, fall back to the reference ------------------------


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize("damage", [_flip_byte, _truncate, Path.unlink])
def test_damaged_active_artifact_is_refused_and_reference_used(
    tmp_path, reference_dir, unpickle_calls, damage
):
    store = saved_store(tmp_path / "models")
    damage(tmp_path / "models" / "v1.npz")
    unpickle_calls.clear()
    with pytest.raises(StoreError, match="v1.npz"):
        store.load("v1")
    model, warnings = store.load_active()
    assert model.card["version"] == "ref1"
    assert len(warnings) == 1 and "v1.npz" in warnings[0] and "reference" in warnings[0]
    # Only the reference artifact was read (once), never the damaged one.
    assert len(unpickle_calls) == 1


def test_artifact_swapped_with_card_updated_is_caught_by_pointer(
    tmp_path, reference_dir, unpickle_calls
):
    """An attacker replaces the artifact and rewrites its card's hash: active.json refuses it."""
    store = saved_store(tmp_path / "models", ("v1", "v2"))
    root = tmp_path / "models"
    (root / "v1.npz").write_bytes((root / "v2.npz").read_bytes())
    card = json.loads((root / "v1.json").read_text())
    card["artifact_sha256"] = json.loads((root / "v2.json").read_text())["artifact_sha256"]
    (root / "v1.json").write_text(json.dumps(card))
    unpickle_calls.clear()
    model, warnings = store.load_active()
    assert model.card["version"] == "ref1"
    assert "v1.json" in warnings[0] and "active.json" in warnings[0]
    assert len(unpickle_calls) == 1


def test_card_swapped_for_another_versions_card_is_refused(tmp_path, reference_dir):
    store = saved_store(tmp_path / "models", ("v1", "v2"))
    root = tmp_path / "models"
    (root / "v1.json").write_bytes((root / "v2.json").read_bytes())
    with pytest.raises(StoreError, match="not the model card of version v1"):
        store.load("v1")
    model, warnings = store.load_active()
    assert model.card["version"] == "ref1" and "v1.json" in warnings[0]


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"nothing": 1}'])
def test_corrupt_pointer_falls_back_to_reference(tmp_path, reference_dir, content):
    store = saved_store(tmp_path / "models")
    (tmp_path / "models" / "active.json").write_bytes(content)
    model, warnings = store.load_active()
    assert model.card["version"] == "ref1" and "active.json" in warnings[0]


def test_empty_store_uses_reference_with_warning(tmp_path, reference_dir):
    model, warnings = ModelStore(tmp_path / "empty").load_active()
    assert model.card["version"] == "ref1"
    assert "no model has been activated" in warnings[0]


def test_damaged_reference_is_refused_too(tmp_path, reference_dir, unpickle_calls):
    store = saved_store(tmp_path / "models")
    _flip_byte(tmp_path / "models" / "v1.npz")
    _flip_byte(reference_dir / "ref1.npz")
    unpickle_calls.clear()
    with pytest.raises(StoreError, match="v1.npz.*ref1.npz"):
        store.load_active()
    assert unpickle_calls == []


def test_default_root_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    assert ModelStore().root == tmp_path
    monkeypatch.delenv("SRGVHD_MODELS_DIR")
    assert ModelStore().root == Path(store_module.__file__).resolve().parents[2] / "models"
