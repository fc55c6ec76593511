"""Hostile model stores (docs/security.md §3, §5): a card nested 100,000 levels deep, a lone
surrogate, terminal escapes, a duplicate key or 2 MB of padding in the active card — each with
``active.json``'s SHA-256 updated to match, as somebody with write access to the store would —
and a zip-bomb artifact whose checksum matches its card.

Each must fall back to the bundled reference model with the banner naming the problem (or, for a
displayable oddity, be shown made safe): never a traceback in ``srgvhd models``, ``srgvhd
assess`` or a page. The zip bomb is refused from the zip directory, before numpy inflates it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.cli.main import main as cli_main
from srgvhd.risk import model as model_module
from srgvhd.risk.model import MAX_ARTIFACT_BYTES, ArtifactError, from_npz_bytes
from srgvhd.risk.store import POINTER, ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "refractory_r1.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("cards") / "models"
    card = train_from_csv(
        cohort_csv(synthetic_cohort(150, seed=5)),
        store=ModelStore(root),
        promote=True,
        source_name="centre.csv",
    )
    return root, card["version"]


def _store_with_card(pristine, tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A copy of the store whose active card is ``text``, the pointer's SHA-256 matching it."""
    source, version = pristine
    root = tmp_path / "models"
    shutil.copytree(source, root)
    card = root / f"{version}.json"
    card.write_text(text, encoding="utf-8")
    pointer = json.loads((root / POINTER).read_text())
    pointer["card_sha256"] = _sha(card.read_bytes())
    (root / POINTER).write_text(json.dumps(pointer))
    return root, card


def _card_text(pristine) -> str:
    source, version = pristine
    return (source / f"{version}.json").read_text(encoding="utf-8")


def _deep(pristine) -> str:
    card = _card_text(pristine).rstrip()
    return card[:-1] + ', "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"


def _duplicate(pristine) -> str:
    card = _card_text(pristine).rstrip()
    return card[:-1] + ', "n": 1, "n": 2}'


def _padded(pristine) -> str:
    card = _card_text(pristine).rstrip()
    return card[:-1] + ', "padding": "' + "x" * 2_000_000 + '"}'


def _surrogate(pristine) -> str:
    card = json.loads(_card_text(pristine))
    card["training_file_name"] = "centre\\ud800.csv"
    return json.dumps(card).replace("\\\\ud800", "\\ud800")


HOSTILE = {
    "100,000 levels deep": (_deep, "nested more than 32 levels deep"),
    "a key twice": (_duplicate, 'the key "n" appears twice'),
    "2 MB": (_padded, "larger than 1000 kB"),
    "a lone surrogate": (_surrogate, "lone surrogate"),
}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_active_card_falls_back_to_the_reference_everywhere(
    hostile, pristine, tmp_path, monkeypatch, capsys
) -> None:
    build, says = HOSTILE[hostile]
    root, card = _store_with_card(pristine, tmp_path, build(pristine))

    model, warnings = ModelStore(root).load_active()
    assert model.card is not None and "using the bundled reference model" in warnings[0]
    assert str(card) in warnings[0] and says in warnings[0], warnings

    assert cli_main(["models", "--models-dir", str(root)]) == 0
    out, err = capsys.readouterr()
    assert says in out and "Traceback" not in out + err
    assert cli_main(["assess", str(EXAMPLE), "--models-dir", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "using the bundled reference model" in out + err and "Traceback" not in out + err

    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(says in as_read(w.value) for w in at.warning), [w.value for w in at.warning]
    for page in ("views/assess.py", "views/model.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]


def test_terminal_escapes_and_overrides_in_a_card_are_shown_made_safe(
    pristine, tmp_path, capsys
) -> None:
    card = json.loads(_card_text(pristine))
    card["data_source"] = {"centre": "centre\u001b[2J\u001b]0;owned\u0007\u202e", "period": "2025"}
    root, _ = _store_with_card(pristine, tmp_path, json.dumps(card))
    model, warnings = ModelStore(root).load_active()
    assert not warnings
    assert model.card.data_source.centre == "centre\ufffd[2J\ufffd]0;owned\ufffd\ufffd"
    assert cli_main(["models", "--models-dir", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert "\u001b" not in out and "\u202e" not in out and "\u0007" not in out


def _bomb(unpacked: int) -> bytes:
    """A zip of .npy members like an artifact's, one of them ``unpacked`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f8", "fortran_order": False, "shape": (unpacked // 8,)}
        )
        with archive.open("s1.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            zeros = bytes(1 << 20)
            for _ in range(unpacked // len(zeros)):
                member.write(zeros)
    return buffer.getvalue()


def test_a_zip_bomb_artifact_is_refused_from_its_directory(monkeypatch) -> None:
    data = _bomb(20 << 20)  # 20 MiB of zeros and a 128-byte .npy header
    assert len(data) < 100_000 and 20 << 20 > MAX_ARTIFACT_BYTES  # small on disk
    calls: list[int] = []
    monkeypatch.setattr(model_module.np, "load", lambda *a, **k: calls.append(1))
    with pytest.raises(ArtifactError, match="would unpack to 20,971,648 bytes"):
        from_npz_bytes(data)
    assert not calls  # refused before numpy opened a member


def test_a_zip_bomb_with_a_matching_checksum_falls_back(pristine, tmp_path) -> None:
    source, version = pristine
    root = tmp_path / "models"
    shutil.copytree(source, root)
    bomb = _bomb(20 << 20)
    (root / f"{version}.npz").write_bytes(bomb)
    card_path = root / f"{version}.json"
    card = json.loads(card_path.read_text())
    card["artifact_sha256"] = _sha(bomb)
    card_path.write_text(json.dumps(card, indent=2, sort_keys=True))
    pointer = json.loads((root / POINTER).read_text())
    pointer["card_sha256"] = _sha(card_path.read_bytes())
    (root / POINTER).write_text(json.dumps(pointer))
    model, warnings = ModelStore(root).load_active()
    assert "would unpack to" in warnings[0] and "using the bundled reference model" in warnings[0]
