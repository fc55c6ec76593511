"""Versioned model store: artifacts, model cards, an active pointer and an audit log.

Layout of a store directory::

    <version>.joblib   the RiskModel (no per-patient rows, no card)
    <version>.json     the model card; records the artifact's SHA-256
    active.json        {"version", "card_sha256"} — which version is active; written last
    audit.jsonl        one JSON line per activation (append-only)

Every file is written atomically (temporary file in the same directory, fsync, os.replace, fsync
of the directory), so a crash leaves either the old or the new file, never a torn one. Nothing is
unpickled before its SHA-256 has been checked against the card, and the card against the pointer.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import joblib

from srgvhd.errors import InputError, Problem
from srgvhd.risk.model import RiskModel

MODELS_DIR_ENV = "SRGVHD_MODELS_DIR"
PAUSE_ENV = "SRGVHD_TEST_PAUSE_AT"
POINTER = "active.json"
AUDIT = "audit.jsonl"
CARD_FORMAT = "srgvhd-model-card/1"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


class StoreError(InputError):
    """A model file is missing, corrupt or tampered with, or the store cannot be written."""


def pause_for_test(step: str) -> None:
    """Test hook only: sleep at ``step`` when env SRGVHD_TEST_PAUSE_AT names it.

    Fault tests start training in a subprocess, wait for the "paused at" line on stderr and
    SIGKILL the process there. Unset in normal use (then this does nothing).
    """
    if os.environ.get(PAUSE_ENV) == step:
        print(f"srgvhd paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


def sha256(data: bytes) -> str:
    """SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def card_bytes(card: dict) -> bytes:
    """The exact bytes a card is saved as (sorted keys, UTF-8) — what its digest is taken of."""
    return (json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def default_root() -> Path:
    """``$SRGVHD_MODELS_DIR``, else ``<repo>/models``."""
    env = os.environ.get(MODELS_DIR_ENV)
    return Path(env) if env else REPO_ROOT / "models"


def _fail(path: Path, doing: str, exc: OSError) -> StoreError:
    reason = exc.strerror or str(exc)
    what = f"cannot {doing} ({reason}); the active model is unchanged"
    return StoreError(Problem(str(path), what))


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably, or raise StoreError leaving no temp."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise _fail(path, "write", exc) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _check_version(version: str) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise StoreError(Problem("version", f"{version!r} is not a valid model version name"))
    return version


class ModelStore:
    """A directory of model versions with one active version (see module docstring)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    # ---- paths -----------------------------------------------------------------------------
    def _artifact(self, version: str) -> Path:
        return self.root / f"{_check_version(version)}.joblib"

    def _card(self, version: str) -> Path:
        return self.root / f"{_check_version(version)}.json"

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StoreError(Problem(str(path), "is missing")) from None
        except OSError as exc:
            raise StoreError(Problem(str(path), f"cannot be read ({exc.strerror})")) from None

    # ---- writing ---------------------------------------------------------------------------
    def new_version(self, training_sha256: str) -> str:
        """A fresh version name: UTC time + the training file's digest prefix."""
        stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + training_sha256[:8]
        version, n = stem, 1
        while self._card(version).exists() or self._artifact(version).exists():
            n += 1
            version = f"{stem}-{n}"
        return version

    def save(self, model: RiskModel, card: dict) -> dict:
        """Write a new version (artifact, then card). Returns the card with artifact_sha256.

        The card is not stored inside the artifact. Does not change the active version.
        """
        version = _check_version(card["version"])
        buffer = io.BytesIO()
        joblib.dump(RiskModel(model.cph, model.covariates, model.baseline), buffer)
        data = buffer.getvalue()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(self.root, "create the model directory", exc) from None
        atomic_write(self._artifact(version), data)
        pause_for_test("artifact_written")
        full = {**card, "format": CARD_FORMAT, "artifact_sha256": sha256(data)}
        atomic_write(self._card(version), card_bytes(full))
        pause_for_test("card_written")
        return full

    def activate(self, version: str, *, who: str | None = None, action: str = "activate") -> None:
        """Make ``version`` active (after verifying it loads) and append one audit line.

        The audit line is written first and the pointer last, so a crash or a full disk leaves
        the previous version active; a failed pointer write is recorded as a second line.
        """
        card_raw = self._read(self._card(version))
        card = self._verified_card(version, card_raw, expected_sha=None)
        self._load_verified(version, card)
        previous = self.active_version()
        entry = {
            "who": who or _os_user(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action,
            "from_version": previous,
            "to_version": version,
            "training_file_sha256": card.get("training_file_sha256"),
        }
        self._append_audit(entry)
        pause_for_test("before_pointer")
        pointer = {"version": version, "card_sha256": sha256(card_raw)}
        try:
            atomic_write(self.root / POINTER, card_bytes(pointer))
        except StoreError:
            with contextlib.suppress(StoreError):
                self._append_audit({**entry, "action": f"{action} failed (pointer not written)"})
            raise

    def _append_audit(self, entry: dict) -> None:
        path = self.root / AUDIT
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode()
        try:
            with open(path, "ab") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise _fail(path, "append to the audit log", exc) from None

    # ---- reading ---------------------------------------------------------------------------
    def _verified_card(self, version: str, raw: bytes, expected_sha: str | None) -> dict:
        path = self._card(version)
        if expected_sha is not None and sha256(raw) != expected_sha:
            raise StoreError(
                Problem(str(path), "does not match the SHA-256 recorded in active.json")
            )
        try:
            card = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StoreError(Problem(str(path), "is not a valid JSON model card")) from None
        if not isinstance(card, dict) or card.get("version") != version:
            raise StoreError(Problem(str(path), f"is not the model card of version {version}"))
        if not isinstance(card.get("artifact_sha256"), str):
            raise StoreError(Problem(str(path), "records no artifact_sha256"))
        return card

    def _load_verified(self, version: str, card: dict) -> RiskModel:
        """Unpickle the artifact only after its bytes match the card's SHA-256."""
        path = self._artifact(version)
        data = self._read(path)
        if sha256(data) != card["artifact_sha256"]:
            raise StoreError(
                Problem(str(path), "SHA-256 does not match its model card; refusing to load it")
            )
        model = joblib.load(io.BytesIO(data))
        if not isinstance(model, RiskModel):
            raise StoreError(Problem(str(path), "does not hold a risk model"))
        return model

    def load(self, version: str, *, card_sha256: str | None = None) -> RiskModel:
        """Load a version after checking card (against ``card_sha256`` if given) and artifact."""
        raw = self._read(self._card(version))
        card = self._verified_card(version, raw, card_sha256)
        model = self._load_verified(version, card)
        model.card, model.card_sha256 = card, sha256(raw)
        return model

    def _pointer(self) -> dict | None:
        path = self.root / POINTER
        if not path.exists():
            return None
        try:
            pointer = json.loads(self._read(path).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StoreError(Problem(str(path), "is not valid JSON")) from None
        if not isinstance(pointer, dict) or not isinstance(pointer.get("version"), str):
            raise StoreError(Problem(str(path), "names no version"))
        return pointer

    def active_version(self) -> str | None:
        """The version named by active.json (None when nothing was activated)."""
        pointer = self._pointer()
        return pointer["version"] if pointer else None

    def load_active_strict(self) -> RiskModel:
        """The active model, fully verified; StoreError if there is none or it fails a check."""
        pointer = self._pointer()
        if pointer is None:
            raise StoreError(Problem(str(self.root / POINTER), "no model has been activated"))
        return self.load(pointer["version"], card_sha256=pointer.get("card_sha256", ""))

    def load_active(self) -> tuple[RiskModel, list[str]]:
        """The active model, or the bundled reference model and a warning naming the problem.

        Raises StoreError naming both problems when the reference model cannot be used either.
        """
        try:
            return self.load_active_strict(), []
        except StoreError as exc:
            try:
                reference = ModelStore(REFERENCE_DIR).load_active_strict()
            except StoreError as reference_exc:
                raise StoreError(exc.problems + reference_exc.problems) from None
            return reference, [
                f"{exc}; using the bundled reference model {reference.card.get('version')}"
            ]

    def list_versions(self) -> list[dict]:
        """Every card (newest first) with an ``active`` flag; unreadable cards carry ``problem``."""
        try:
            active = self.active_version()
        except StoreError:
            active = None
        cards = []
        for path in sorted(self.root.glob("*.json")):
            if path.name == POINTER:
                continue
            try:
                card = self._verified_card(path.stem, self._read(path), None)
            except StoreError as exc:
                card = {"version": path.stem, "problem": str(exc)}
            cards.append({**card, "active": card["version"] == active})
        return sorted(cards, key=lambda c: c.get("created_at", ""), reverse=True)

    def audit_log(self) -> list[dict]:
        """Every audit line, oldest first."""
        path = self.root / AUDIT
        if not path.exists():
            return []
        return [json.loads(line) for line in self._read(path).decode().splitlines() if line]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
