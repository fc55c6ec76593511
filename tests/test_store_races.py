"""Store races, the audit log under faults, file modes, orphan clean-up (docs/security.md §3).

The race harness is the attack run's: two ``srgvhd train --promote`` and one plain ``srgvhd train``
at once, on the same cohort file (so every version name starts alike), 20 rounds each, in
separate processes. Before the store lock and exclusive version files, 3/20 runs gave two
versions one name and 1/20 left active.json pointing at a card whose SHA-256 did not match.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from srgvhd.risk import audit as audit_module
from srgvhd.risk.store import ModelStore, StoreError
from tests.conftest import REPO
from tests.kill import kill_at_pause
from tests.test_predict import cohort_csv, synthetic_cohort
from tests.test_risk_cli import run
from tests.test_store import saved_store

ROUNDS = 20
TRAIN_LOOP = (
    "import sys\n"
    "from srgvhd.cli.main import main\n"
    "cohort, root, promote, rounds = sys.argv[1:3] + [sys.argv[3] == '1', int(sys.argv[4])]\n"
    "for _ in range(rounds):\n"
    "    extra = ['--promote'] if promote else []\n"
    "    code = main(['train', cohort, '--models-dir', root] + extra)\n"
    "    if code:\n"
    "        sys.exit(code)\n"
)


@pytest.mark.slow
def test_concurrent_promotions_and_training_keep_the_store_consistent(tmp_path):
    cohort = tmp_path / "cohort.csv"
    cohort.write_bytes(cohort_csv(synthetic_cohort(150, seed=5)))
    root = tmp_path / "models"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TRAIN_LOOP, str(cohort), str(root), promote, str(ROUNDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for promote in ("1", "1", "0")
    ]
    outputs = [p.communicate(timeout=1200) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    reported = [line.split(":", 1)[0] for out, _ in outputs for line in out.splitlines()]
    assert len(reported) == 3 * ROUNDS and len(set(reported)) == 3 * ROUNDS  # distinct names
    store = ModelStore(root)
    listed = store.list_versions()
    assert sorted(c["version"] for c in listed) == sorted(reported)
    assert not [c for c in listed if "problem" in c]
    for version in reported:  # every card intact and matching its artifact
        assert store.load(version).card.version == version
    active = store.load_active_strict()  # the pointer's card SHA-256 matches
    promoted = set(reported[: 2 * ROUNDS])
    assert active.card.version in promoted
    audit = store.read_audit()
    assert audit.unreadable_lines == 0 and len(audit.entries) == 2 * ROUNDS
    assert all(e["outcome"] == "completed" for e in audit.entries)
    assert {e["to_version"] for e in audit.entries} == promoted
    assert not list(root.glob("*.tmp")) and not list(root.glob(".*.tmp"))


# ---- audit log ------------------------------------------------------------------------------


def test_torn_audit_line_is_skipped_counted_and_never_glued_to_the_next(tmp_path):
    store = saved_store(tmp_path, ("v1", "v2"))
    with open(tmp_path / "audit.jsonl", "ab") as handle:  # what a full disk left at 4096 bytes
        handle.write(b'{"id": "x", "phase": "intent", "who": "a", "act')
    store.activate("v2", who="dr b")
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert lines[-3].endswith('"act') and json.loads(lines[-2])["phase"] == "intent"
    audit = store.read_audit()
    assert audit.unreadable_lines == 1
    assert [(e["to_version"], e["who"], e["outcome"]) for e in audit.entries] == [
        ("v1", "tester", "completed"),
        ("v2", "dr b", "completed"),
    ]


def test_disk_full_in_the_middle_of_an_audit_line_refuses_and_the_next_line_starts_fresh(
    tmp_path, monkeypatch
):
    store = saved_store(tmp_path, ("v1", "v2"))
    real_open = open

    class HalfWriter:
        """A file whose write puts half the bytes on disk, then fails like a full disk."""

        def __init__(self, *args, **kwargs):
            self.handle = real_open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(audit_module, "open", HalfWriter, raising=False)
    with pytest.raises(StoreError, match="audit.jsonl.*No space left on device"):
        store.activate("v2")
    monkeypatch.undo()
    assert store.active_version() == "v1"  # refused before the pointer
    store.activate("v2", who="dr c")
    audit = store.read_audit()
    assert audit.unreadable_lines == 1
    assert [(e["to_version"], e["outcome"]) for e in audit.entries] == [
        ("v1", "completed"),
        ("v2", "completed"),
    ]
    assert store.active_version() == "v2"


def _kill_during_activation(root: Path, version: str, step: str) -> None:
    script = (
        "import sys; from pathlib import Path; from srgvhd.risk.store import ModelStore; "
        "ModelStore(Path(sys.argv[1])).activate(sys.argv[2])"
    )
    kill_at_pause(script, [str(root), version], step)


@pytest.mark.parametrize(
    ("step", "active", "outcome"),
    [
        ("before_pointer", "v1", "not completed"),
        ("after_pointer", "v2", "completed (outcome line missing)"),
    ],
)
def test_sigkill_during_activation_is_recorded_as_what_happened(tmp_path, step, active, outcome):
    store = saved_store(tmp_path, ("v1", "v2"))
    _kill_during_activation(tmp_path, "v2", step)
    assert store.active_version() == active
    assert store.audit_log()[-1]["outcome"] == outcome
    store.activate("v2")  # the lock was released by the kill
    assert store.audit_log()[-1]["outcome"] == "completed"


# ---- malformed card -------------------------------------------------------------------------


def test_malformed_card_is_listed_as_unreadable_naming_the_field(tmp_path, capsys):
    store = saved_store(tmp_path, ("v1", "v2"))
    card = json.loads((tmp_path / "v2.json").read_text())
    card["created_at"] = 5
    (tmp_path / "v2.json").write_text(json.dumps(card))
    code, out, err = run(["models", "--models-dir", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("* v1")
    assert f"v2  UNREADABLE: {tmp_path / 'v2.json'}: field created_at:" in lines[1]
    code, out, err = run(["models", "--activate", "v2", "--models-dir", str(tmp_path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "field created_at" in err
    assert store.active_version() == "v1"


@pytest.mark.parametrize(
    ("field", "value"),
    [("n", "many"), ("reference_model", "yes"), ("covariates", "age"), ("metrics", [])],
)
def test_other_malformed_fields_are_named(tmp_path, field, value):
    store = saved_store(tmp_path, ("v1",))
    card = json.loads((tmp_path / "v1.json").read_text())
    card[field] = value
    (tmp_path / "v1.json").write_text(json.dumps(card))
    with pytest.raises(StoreError, match=f"field {field}"):
        store.load("v1")


# ---- modes and orphans ----------------------------------------------------------------------


def test_store_files_are_group_readable_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        store = saved_store(tmp_path / "models", ("v1",))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "models").stat().st_mode) == 0o750
    for path in store.root.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path.name


def test_orphan_temporary_files_older_than_a_minute_are_removed_on_open(tmp_path):
    saved_store(tmp_path, ("v1",))
    old, fresh = tmp_path / ".v9.npz.abc.tmp", tmp_path / ".v9.json.def.tmp"
    old.write_bytes(b"partial")
    fresh.write_bytes(b"being written")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    ModelStore(tmp_path)
    assert not old.exists() and fresh.exists()


def test_a_promotion_waits_for_the_store_lock(tmp_path):
    store = saved_store(tmp_path, ("v1", "v2"))
    with store.lock():
        script = (
            "import sys; from pathlib import Path; from srgvhd.risk.store import ModelStore; "
            "ModelStore(Path(sys.argv[1])).activate('v2')"
        )
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], env=env)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=5)  # blocked while this process holds the lock
        assert store.active_version() == "v1"
    assert proc.wait(timeout=60) == 0
    assert store.active_version() == "v2"
