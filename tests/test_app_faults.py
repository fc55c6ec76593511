"""The app with a damaged model store (docs/security.md §3): it starts, names the problem, falls
back to the bundled reference model and never unpickles the bad file.

The store keeps a SHA-256 of each artifact in its card and of the card in active.json
(srgvhd/risk/store.py). Each test copies a freshly trained store into its own directory (the app
caches the loaded model per directory), damages one file, runs the app through AppTest and spies on
the store's artifact reader: the spy records the bytes of every artifact read as a model, which
must be the bundled reference model's and never the damaged file's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.risk import store as store_module
from srgvhd.risk.store import POINTER, REFERENCE_DIR, ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort

APP = str(Path(__file__).resolve().parents[1] / "app.py")
REFERENCE_WORDS = "Synthetic reference model"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, str]:
    """A store whose active version is a centre model (not the reference); (root, version)."""
    root = tmp_path_factory.mktemp("pristine") / "models"
    card = train_from_csv(
        cohort_csv(synthetic_cohort(150, seed=3)),
        store=ModelStore(root),
        promote=True,
        source_name="centre.csv",
    )
    return root, card["version"]


@pytest.fixture
def reference() -> tuple[str, str]:
    """The bundled reference model's (version, artifact SHA-256), read from its own files."""
    version = json.loads((REFERENCE_DIR / POINTER).read_text(encoding="utf-8"))["version"]
    return version, _sha((REFERENCE_DIR / f"{version}.npz").read_bytes())


@pytest.fixture
def unpickled(monkeypatch) -> list[str]:
    """SHA-256 of every artifact the store reads as a model while the test runs."""
    seen: list[str] = []
    real = store_module.from_npz_bytes

    def spy(data: bytes, *args, **kwargs):
        seen.append(_sha(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(store_module, "from_npz_bytes", spy)
    return seen


def _copy(pristine: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    root, version = pristine
    target = tmp_path / "models"
    shutil.copytree(root, target)
    return target, version


def _run_app(root: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warnings(at: AppTest) -> list[str]:
    """The warnings as a reader sees them (Markdown escapes and HTML entities resolved)."""
    return [as_read(w.value) for w in at.warning]


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit_card(path: Path) -> None:
    card = json.loads(path.read_text(encoding="utf-8"))
    card["n"] = card["n"] + 1000  # a plausible-looking edit that changes the card's bytes
    path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _garble(path: Path) -> None:
    path.write_bytes(b"\x00not json{")


# (damage, which file, the words the banner must use about it)
FAULTS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "tampered artifact": (_flip_byte, "{version}.npz", "SHA-256 does not match its model card"),
    "truncated artifact": (_truncate, "{version}.npz", "SHA-256 does not match its model card"),
    "edited card": (_edit_card, "{version}.json", "does not match the SHA-256 recorded"),
    "garbled card": (_garble, "{version}.json", "does not match the SHA-256 recorded"),
    "garbled pointer": (_garble, POINTER, "is not valid JSON"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_damaged_store_starts_names_the_problem_and_uses_the_reference(
    fault, pristine, reference, unpickled, tmp_path, monkeypatch
) -> None:
    root, version = _copy(pristine, tmp_path)
    damage, name, words = FAULTS[fault]
    bad = root / name.format(version=version)
    damage(bad)
    bad_sha = _sha(bad.read_bytes())

    at = _run_app(root, monkeypatch)

    banner = _warnings(at)
    reference_version, reference_sha = reference
    problem = [w for w in banner if str(bad) in w]
    assert problem, banner
    assert words in problem[0]
    assert f"using the bundled reference model {reference_version}" in problem[0]
    assert any(f"Risk model {reference_version}" in w and REFERENCE_WORDS in w for w in banner)
    assert unpickled == [reference_sha]  # the reference model only, loaded once
    assert bad_sha not in unpickled


def test_missing_models_directory_uses_the_reference(
    reference, unpickled, tmp_path, monkeypatch
) -> None:
    root = tmp_path / "no-such-dir"
    at = _run_app(root, monkeypatch)
    reference_version, reference_sha = reference
    banner = _warnings(at)
    assert any("no model has been activated" in w and reference_version in w for w in banner)
    assert any(f"Risk model {reference_version}" in w and REFERENCE_WORDS in w for w in banner)
    assert unpickled == [reference_sha]


def test_intact_store_uses_its_own_model(
    pristine, reference, unpickled, tmp_path, monkeypatch
) -> None:
    """The control: without damage the centre model is used and no problem is reported."""
    root, version = _copy(pristine, tmp_path)
    at = _run_app(root, monkeypatch)
    assert not any(REFERENCE_WORDS in w for w in _warnings(at))
    assert any(f"Risk model {version}" in i.value for i in at.info)
    assert unpickled == [_sha((root / f"{version}.npz").read_bytes())]


def test_damaged_store_model_page_still_lists_versions(pristine, tmp_path, monkeypatch) -> None:
    root, version = _copy(pristine, tmp_path)
    _flip_byte(root / f"{version}.npz")
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert any(version in m.value for m in at.markdown)


def test_malformed_card_names_file_and_field_and_other_versions_stay_listed(
    pristine, tmp_path, monkeypatch
) -> None:
    """``"created_at": 5`` on the active card — a clear message, no TypeError,
    the reference model in use and every other version still listed on the Model page."""
    root, version = _copy(pristine, tmp_path)
    other = train_from_csv(
        cohort_csv(synthetic_cohort(150, seed=4)), store=ModelStore(root), source_name="b.csv"
    )["version"]
    card_path = root / f"{version}.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["created_at"] = 5
    raw = (json.dumps(card, indent=2, sort_keys=True) + "\n").encode()
    card_path.write_bytes(raw)
    (root / POINTER).write_text(json.dumps({"version": version, "card_sha256": _sha(raw)}))
    at = _run_app(root, monkeypatch)
    problem = [w for w in _warnings(at) if str(card_path) in w]
    assert problem and "field created_at" in problem[0]
    assert "using the bundled reference model" in problem[0]
    at.switch_page("views/model.py").run()
    assert not at.exception
    listed = " ".join(as_read(m.value) for m in at.markdown)
    assert other in listed and "field created_at" in listed
