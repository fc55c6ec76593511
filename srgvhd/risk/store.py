"""Versioned model store: artifacts, model cards, an active pointer and an audit log.

Layout of a store directory::

    <version>.npz      the RiskModel as plain arrays (srgvhd.risk.model; no per-patient rows)
    <version>.json     the model card (srgvhd.risk.card); records the artifact's SHA-256
    active.json        {"version", "card_sha256"} — which version is active; written last
    audit.jsonl        append-only: an intent line before each activation, an outcome line after
    .lock              the store lock (flock) held by every writer

Concurrency and crashes (docs/security.md §3):

- One exclusive ``fcntl.flock`` on ``.lock`` is held across every write (save, activate,
  promote, upgrade), so two trainings never pick the same version name and a pointer is never
  written while another process is between a card and its pointer.
- Version files are created exclusively: written to a temporary file, fsynced, then hard-linked
  to their name, which fails if the name exists (the ``O_EXCL`` rule), so nothing is ever
  overwritten and a crash leaves either no file or a whole one. ``active.json`` is replaced
  atomically (temporary file, fsync, ``os.replace``, fsync of the directory).
- Nothing is read as a model before its SHA-256 has been checked against the card, and the card
  against the pointer; artifacts are ``.npz`` read with ``allow_pickle=False`` (never code).
  Artifacts of the joblib era are refused until ``srgvhd models --upgrade`` converts them.
- Files are created 0640 and the directory 0750 (group-readable for a second service user);
  orphan ``*.tmp`` files older than a minute (a killed writer's) are removed on open.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from srgvhd import files
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import Msg, problems_message
from srgvhd.identity import cli_identity
from srgvhd.jsontext import display_safe, read_json
from srgvhd.risk.audit import AuditLog, append_record, parse_audit
from srgvhd.risk.card import CARD_FORMAT, CardError, ModelCard
from srgvhd.risk.legacy import read_joblib_model
from srgvhd.risk.model import (
    ARTIFACT_SUFFIX,
    ArtifactError,
    RiskModel,
    from_npz_bytes,
    to_npz_bytes,
)

MODELS_DIR_ENV = "SRGVHD_MODELS_DIR"
POINTER = "active.json"
AUDIT = "audit.jsonl"
LOCK = ".lock"
LEGACY_SUFFIX = ".joblib"
FILE_MODE = 0o640
DIR_MODE = 0o750
ORPHAN_AGE_SECONDS = 60
# Bounds on what the store reads (a card is ~10 kB, the pointer ~130 bytes, an artifact a few kB
# compressed; model.MAX_ARTIFACT_BYTES bounds its arrays): a bigger file is refused unread.
MAX_CARD_BYTES = 1_000_000
MAX_POINTER_BYTES = 64_000
MAX_ARTIFACT_FILE_BYTES = 64_000_000
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


class StoreError(InputError):
    """A model file is missing, corrupt or tampered with, or the store cannot be written."""


def sha256(data: bytes) -> str:
    """SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def card_bytes(card: Mapping[str, Any]) -> bytes:
    """The exact bytes a card is saved as (sorted keys, UTF-8) — what its digest is taken of."""
    return (json.dumps(dict(card), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def default_root() -> Path:
    """``$SRGVHD_MODELS_DIR``, else ``<repo>/models``."""
    env = os.environ.get(MODELS_DIR_ENV)
    return Path(env) if env else REPO_ROOT / "models"


def _fail(path: Path, doing: str, exc: OSError) -> StoreError:
    reason = exc.strerror or str(exc)
    what = f"cannot {doing} ({reason}); the active model is unchanged"
    return StoreError(Problem(str(path), what))


def _open_shared(path: str, flags: int) -> int:
    """``open`` opener: create ``path`` exactly 0640 (whatever the umask), or open it as is."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, flags & ~os.O_CREAT)
    os.fchmod(fd, FILE_MODE)
    return fd


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` atomically and durably, mode 0640 (srgvhd.files.atomic_write),
    or raise StoreError. ``exclusive``: never replace an existing ``path`` (FileExistsError
    then, nothing written)."""
    try:
        files.atomic_write(path, data, exclusive=exclusive, mode=FILE_MODE)
    except FileExistsError:
        raise
    except OSError as exc:
        raise _fail(path, "write", exc) from None


def _check_version(version: str) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise StoreError(Problem("version", f"{version!r} is not a valid model version name"))
    return version


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ModelStore:
    """A directory of model versions with one active version (see module docstring)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()
        self._remove_orphans()

    # ---- paths -----------------------------------------------------------------------------
    def _artifact(self, version: str) -> Path:
        return self.root / f"{_check_version(version)}{ARTIFACT_SUFFIX}"

    def _legacy_artifact(self, version: str) -> Path:
        return self.root / f"{_check_version(version)}{LEGACY_SUFFIX}"

    def _card(self, version: str) -> Path:
        return self.root / f"{_check_version(version)}.json"

    def _read(self, path: Path, limit: int | None = None) -> bytes:
        """The file's bytes; with ``limit``, at most ``limit + 1`` of them are read (the caller
        refuses a file over its bound without reading all of it)."""
        try:
            if limit is None:
                return path.read_bytes()
            with open(path, "rb") as handle:
                return handle.read(limit + 1)
        except FileNotFoundError:
            raise StoreError(Problem(str(path), "is missing")) from None
        except OSError as exc:
            raise StoreError(Problem(str(path), f"cannot be read ({exc.strerror})")) from None

    # ---- housekeeping ----------------------------------------------------------------------
    def _remove_orphans(self) -> None:
        """Remove ``*.tmp`` files older than a minute (left by a killed writer); best effort."""
        cutoff = time.time() - ORPHAN_AGE_SECONDS
        with contextlib.suppress(OSError), os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            os.unlink(entry.path)

    def _ensure_root(self) -> None:
        if self.root.is_dir():
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            os.chmod(self.root, DIR_MODE)
        except OSError as exc:
            raise _fail(self.root, "create the model directory", exc) from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's exclusive lock (``flock`` on ``.lock``), blocking until it is free."""
        self._ensure_root()
        path = self.root / LOCK
        try:
            fd = _open_shared(str(path), os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise _fail(path, "open the store lock", exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._remove_orphans()
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # ---- writing ---------------------------------------------------------------------------
    def new_version(self, training_sha256: str) -> str:
        """A fresh version name: UTC time + the training file's digest prefix (+ "-n" if taken).

        Only a proposal: :meth:`save` picks the next free name under the lock if it is taken.
        """
        stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + training_sha256[:8]
        return self._free_version(stem)

    def _taken(self, version: str) -> bool:
        return any(
            p.exists()
            for p in (self._card(version), self._artifact(version), self._legacy_artifact(version))
        )

    def _free_version(self, wanted: str) -> str:
        stem = re.sub(r"-\d+$", "", wanted) if self._taken(wanted) else wanted
        version, n = wanted, 1
        while self._taken(version):
            n += 1
            version = f"{stem}-{n}"
        return _check_version(version)

    def save(self, model: RiskModel, card: dict) -> ModelCard:
        """Write a new version (artifact, then card) under the store lock; return its card.

        The card's ``version`` is used unless another version already has that name, then the
        next free ``<name>-<n>``. Existing files are never overwritten. The card records the
        format and the artifact's SHA-256; it is not stored inside the artifact. Does not change
        the active version.
        """
        _check_version(card["version"])
        data = to_npz_bytes(model)
        with self.lock():
            while True:
                version = self._free_version(card["version"])
                full = {
                    **card,
                    "version": version,
                    "format": CARD_FORMAT,
                    "artifact_sha256": sha256(data),
                }
                try:
                    atomic_write(self._artifact(version), data, exclusive=True)
                except FileExistsError:
                    continue
                try:
                    atomic_write(self._card(version), card_bytes(full), exclusive=True)
                except FileExistsError:  # only a writer ignoring the lock can get here
                    raise StoreError(
                        Problem(str(self._card(version)), "appeared while saving; not replaced")
                    ) from None
                return ModelCard.from_json(full)

    def activate(self, version: str, *, who: str | None = None, action: str = "activate") -> None:
        """Make ``version`` active (after verifying it loads), recorded in the audit log.

        Under the store lock: an intent line, then the pointer, then an outcome line. A crash
        or a full disk before the pointer leaves the previous version active (the intent then
        reads "not completed", or "failed: ..." when the failure could be recorded). ``who`` is
        the identity to record (default: the OS user).
        """
        with self.lock():
            card_raw = self._read(self._card(version), MAX_CARD_BYTES)
            card = self._verified_card(version, card_raw, expected_sha=None)
            self._load_verified(version, card)
            try:
                previous = self.active_version()
            except StoreError:
                previous = None  # an unreadable pointer is replaced
            intent = self._intent(who, action, previous, card)
            try:
                self._write_pointer(version, card_raw)
            except StoreError as exc:
                with contextlib.suppress(StoreError):
                    self._outcome(intent, "failed", "pointer not written: " + exc.problems[0].what)
                raise
            with contextlib.suppress(StoreError):  # done; the reader infers it from the pointer
                self._outcome(intent, "completed")

    def _intent(self, who: str | None, action: str, previous: str | None, card: ModelCard) -> str:
        """Append the intent line of an operation making ``card`` active; return its id."""
        entry_id = uuid.uuid4().hex
        self._append_audit(
            {
                "id": entry_id,
                "phase": "intent",
                "who": who or cli_identity().who,
                "when": _now(),
                "action": action,
                "from_version": previous,
                "to_version": card.version,
                "training_file_sha256": card.training_file_sha256,
            }
        )
        return entry_id

    def _outcome(self, entry_id: str, phase: str, reason: str | None = None) -> None:
        record = {"id": entry_id, "phase": phase, "when": _now()}
        self._append_audit(record if reason is None else {**record, "reason": reason})

    def _write_pointer(self, version: str, card_raw: bytes) -> None:
        pointer = {"version": version, "card_sha256": sha256(card_raw)}
        atomic_write(self.root / POINTER, card_bytes(pointer))

    def _append_audit(self, record: dict) -> None:
        path = self.root / AUDIT
        try:
            append_record(path, record, opener=_open_shared)
        except OSError as exc:
            raise _fail(path, "append to the audit log", exc) from None

    def upgrade_legacy(self, *, who: str | None = None) -> list[str]:
        """Convert every joblib-era version to the plain-data format; return their names.

        Each old artifact must still match its card's SHA-256 and is read by a restricted
        unpickler that admits only the classes such an artifact holds (srgvhd.risk.legacy). The
        card keeps its version and fields, records ``upgraded_from``, and the pointer follows it
        if the version is active. The old ``.joblib`` file is then removed.
        """
        upgraded = []
        with self.lock():
            for path in sorted(self.root.glob("*.json")):
                if path.name == POINTER:
                    continue
                raw = self._read(path, MAX_CARD_BYTES)
                card = self._verified_card(path.stem, raw, None)
                if not card.legacy:
                    continue
                old_path = self._legacy_artifact(card.version)
                old = self._read(old_path)
                if sha256(old) != card.artifact_sha256:
                    raise StoreError(
                        Problem(str(old_path), "SHA-256 does not match its model card")
                    )
                try:
                    data = to_npz_bytes(read_joblib_model(old, str(old_path)))
                except ArtifactError as exc:
                    raise StoreError(Problem(str(old_path), str(exc))) from None
                new_card = {
                    **card.to_json(),
                    "format": CARD_FORMAT,
                    "artifact_sha256": sha256(data),
                    "synthetic": card.synthetic,
                    "upgraded_from": {"artifact": old_path.name, "artifact_sha256": sha256(old)},
                }
                with contextlib.suppress(FileExistsError):
                    atomic_write(self._artifact(card.version), data, exclusive=True)
                new_raw = card_bytes(new_card)
                entry = self._intent(who, "upgrade to plain-data artifact", card.version, card)
                atomic_write(path, new_raw)
                with contextlib.suppress(StoreError):
                    if self.active_version() == card.version:
                        self._write_pointer(card.version, new_raw)
                self._outcome(entry, "completed")
                old_path.unlink()
                upgraded.append(card.version)
        return upgraded

    # ---- reading ---------------------------------------------------------------------------
    def _verified_card(self, version: str, raw: bytes, expected_sha: str | None) -> ModelCard:
        path = self._card(version)
        if len(raw) > MAX_CARD_BYTES:  # read only up to the bound: no digest of the whole
            raise StoreError(Problem(str(path), f"is larger than {MAX_CARD_BYTES // 1000} kB"))
        if expected_sha is not None and sha256(raw) != expected_sha:
            raise StoreError(
                Problem(str(path), "does not match the SHA-256 recorded in active.json")
            )
        try:  # bounded (size, depth), strict (duplicate keys); shown strings made safe
            data = display_safe(read_json(raw, where=str(path), max_bytes=MAX_CARD_BYTES))
        except InputError as exc:
            what = exc.problems[0].what
            raise StoreError(
                Problem(str(path), f"is not a valid JSON model card: {what}")
            ) from None
        if isinstance(data, dict) and "version" in data and data["version"] != version:
            raise StoreError(Problem(str(path), f"is not the model card of version {version}"))
        try:
            return ModelCard.from_json(data)
        except CardError as exc:
            raise StoreError(Problem(str(path), str(exc))) from None

    def _load_verified(self, version: str, card: ModelCard) -> RiskModel:
        """Read the artifact only after its bytes match the card's SHA-256; never unpickle."""
        if card.legacy:
            raise StoreError(
                Problem(
                    str(self._legacy_artifact(version)),
                    "is in the old joblib (pickle) format, which is no longer loaded because "
                    "unpickling can run code; convert it once with: srgvhd models --upgrade",
                )
            )
        path = self._artifact(version)
        data = self._read(path, MAX_ARTIFACT_FILE_BYTES)
        if len(data) > MAX_ARTIFACT_FILE_BYTES:
            raise StoreError(Problem(str(path), "is too large to be a model artifact"))
        if sha256(data) != card.artifact_sha256:
            raise StoreError(
                Problem(str(path), "SHA-256 does not match its model card; refusing to load it")
            )
        try:
            model = from_npz_bytes(data)
        except ArtifactError as exc:
            raise StoreError(Problem(str(path), str(exc))) from None
        if card.covariates and tuple(card.covariates) != model.covariates:
            raise StoreError(Problem(str(path), "covariates differ from its model card's"))
        return model

    def load(self, version: str, *, card_sha256: str | None = None) -> RiskModel:
        """Load a version after checking card (against ``card_sha256`` if given) and artifact."""
        raw = self._read(self._card(version), MAX_CARD_BYTES)
        card = self._verified_card(version, raw, card_sha256)
        return replace(self._load_verified(version, card), card=card, card_sha256=sha256(raw))

    def _pointer(self) -> dict | None:
        path = self.root / POINTER
        if not path.exists():
            return None
        try:
            raw = self._read(path, MAX_POINTER_BYTES)
            pointer = read_json(raw, where=str(path), max_bytes=MAX_POINTER_BYTES)
        except InputError as exc:
            raise StoreError(
                Problem(
                    str(path), Msg("is not valid JSON: {problem}", problem=exc.problems[0].what)
                )
            ) from None
        if not isinstance(pointer, dict) or not isinstance(pointer.get("version"), str):
            raise StoreError(Problem(str(path), Msg("names no version")))
        return pointer

    def active_version(self) -> str | None:
        """The version named by active.json (None when nothing was activated)."""
        pointer = self._pointer()
        return pointer["version"] if pointer else None

    def load_active_strict(self) -> RiskModel:
        """The active model, fully verified; StoreError if there is none or it fails a check."""
        pointer = self._pointer()
        if pointer is None:
            raise StoreError(Problem(str(self.root / POINTER), Msg("no model has been activated")))
        card_sha = pointer.get("card_sha256")
        expected = card_sha if isinstance(card_sha, str) else ""
        return self.load(pointer["version"], card_sha256=expected)

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
            version = reference.card.version if reference.card else None
            return reference, [
                Msg(
                    "{problems}; using the bundled reference model {version}",
                    problems=problems_message(exc.problems),
                    version=str(version),
                )
            ]

    def list_versions(self) -> list[dict]:
        """Every card (newest first) with ``active``, ``synthetic`` and ``legacy`` flags.

        A card that cannot be read or validated is listed with ``problem`` (naming the file and
        field) instead of failing the whole list.
        """
        try:
            active = self.active_version()
        except StoreError:
            active = None
        cards = []
        for path in sorted(self.root.glob("*.json")):
            if path.name == POINTER:
                continue
            try:
                card = self._verified_card(path.stem, self._read(path, MAX_CARD_BYTES), None)
            except StoreError as exc:
                entry = {"version": path.stem, "problem": str(exc)}
            else:
                entry = {**card.to_json(), "synthetic": card.synthetic, "legacy": card.legacy}
            cards.append({**entry, "active": entry["version"] == active})
        return sorted(cards, key=lambda c: c.get("created_at") or "", reverse=True)

    def read_audit(self) -> AuditLog:
        """The audit log, oldest first; unreadable (e.g. torn) lines are skipped and counted."""
        path = self.root / AUDIT
        if not path.exists():
            return AuditLog([], 0)
        try:
            active = self.active_version()
        except StoreError:
            active = None
        return parse_audit(self._read(path).decode("utf-8", errors="replace"), active)

    def audit_log(self) -> list[dict]:
        """Every audit entry, oldest first (see :class:`AuditLog`)."""
        return self.read_audit().entries
