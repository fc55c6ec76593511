"""Faults while saving or promoting: full disk, read-only store, SIGKILL at each step.

In every case the previously active model must stay active and loadable, unchanged.
(Root ignores chmod, so read-only and full-disk stores are simulated by making the system calls
raise the errors a real one would.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from srgvhd.risk import audit as audit_module
from srgvhd.risk.predict import patient_risk
from srgvhd.risk.store import ModelStore, StoreError
from srgvhd.risk.train import train_from_csv
from tests.kill import kill_at_pause
from tests.test_predict import cohort_csv, synthetic_cohort


def snapshot(root: Path) -> dict[str, str]:
    """Every file in the store with its SHA-256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.iterdir())}


def survival(store: ModelStore) -> dict:
    model, warnings = store.load_active()
    assert warnings == []
    return patient_risk(model, age_years=40, grade="IV", hemoglobin_g_l=80).to_json()["survival"]


@pytest.fixture
def trained(tmp_path) -> tuple[ModelStore, str, dict]:
    """A store with one promoted version; returns (store, version, its survival prediction)."""
    store = ModelStore(tmp_path / "models")
    card = train_from_csv(cohort_csv(synthetic_cohort(150, seed=1)), store=store, promote=True)
    return store, card["version"], survival(store)


def second_cohort(tmp_path: Path) -> Path:
    path = tmp_path / "second.csv"
    path.write_bytes(cohort_csv(synthetic_cohort(150, seed=2)))
    return path


def raiser(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def test_disk_full_at_pointer_replace_keeps_previous_model(trained, tmp_path, monkeypatch):
    store, version, before = trained
    card = train_from_csv(second_cohort(tmp_path), store=store)
    monkeypatch.setattr(os, "replace", raiser(errno.ENOSPC))
    with pytest.raises(StoreError) as info:
        store.activate(card["version"], who="tester")
    monkeypatch.undo()
    message = str(info.value)
    assert "active.json" in message and "No space left on device" in message
    assert "\n" not in message
    assert store.active_version() == version and survival(store) == before
    assert not [p for p in store.root.iterdir() if p.name.endswith(".tmp")]
    last = store.audit_log()[-1]
    assert last["action"] == "activate" and last["to_version"] == card["version"]
    assert last["outcome"].startswith("failed: pointer not written")


def test_read_only_store_during_promotion_keeps_previous_model(trained, tmp_path, monkeypatch):
    store, version, before = trained
    files = snapshot(store.root)
    monkeypatch.setattr(tempfile, "mkstemp", raiser(errno.EROFS))
    with pytest.raises(StoreError, match="Read-only file system"):
        train_from_csv(second_cohort(tmp_path), store=store, promote=True)
    monkeypatch.undo()
    assert snapshot(store.root) == files
    assert store.active_version() == version and survival(store) == before


def test_disk_full_while_writing_artifact_leaves_no_partial_file(trained, tmp_path, monkeypatch):
    store, version, before = trained
    files = snapshot(store.root)
    monkeypatch.setattr(os, "fsync", raiser(errno.ENOSPC))
    with pytest.raises(StoreError, match="No space left on device"):
        train_from_csv(second_cohort(tmp_path), store=store, promote=True)
    monkeypatch.undo()
    assert snapshot(store.root) == files
    assert store.active_version() == version and survival(store) == before


def test_audit_log_unwritable_refuses_activation(trained, tmp_path, monkeypatch):
    store, version, before = trained
    card = train_from_csv(second_cohort(tmp_path), store=store)
    monkeypatch.setattr(audit_module, "open", raiser(errno.EROFS), raising=False)
    with pytest.raises(StoreError, match="audit.jsonl.*Read-only file system"):
        store.activate(card["version"])
    monkeypatch.undo()
    assert store.active_version() == version and survival(store) == before


TRAIN_SCRIPT = (
    "import sys; from pathlib import Path; from srgvhd.risk.store import ModelStore; "
    "from srgvhd.risk.train import train_from_csv; "
    "train_from_csv(Path(sys.argv[1]), store=ModelStore(Path(sys.argv[2])), promote=True)"
)


def kill_at(step: str, cohort: Path, root: Path) -> None:
    """Run a promoting training in a subprocess, SIGKILL it when it reports ``step``."""
    kill_at_pause(TRAIN_SCRIPT, [str(cohort), str(root)], step)


@pytest.mark.parametrize(
    ("step", "new_files"),
    [
        ("fitted", set()),  # during training: nothing written yet
        ("artifact_written", {"npz"}),  # orphan artifact without a card
        ("card_written", {"npz", "json"}),  # saved but never promoted
        ("before_pointer", {"npz", "json", "jsonl"}),  # intent line written, pointer not
    ],
)
def test_sigkill_during_training_or_promotion_keeps_active_model(
    trained, tmp_path, step, new_files
):
    store, version, before = trained
    files = snapshot(store.root)
    pointer = (store.root / "active.json").read_bytes()
    kill_at(step, second_cohort(tmp_path), store.root)
    after = snapshot(store.root)
    changed = {name.rsplit(".", 1)[-1] for name in after if files.get(name) != after[name]}
    assert changed == new_files
    assert (store.root / "active.json").read_bytes() == pointer
    assert store.active_version() == version and survival(store) == before
    assert [c["version"] for c in store.list_versions() if c["active"]] == [version]
