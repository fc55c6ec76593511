"""Build the shipped reference model from training/reference_cohort.csv (reproducible).

Run from the repository root: ``.venv/bin/python training/build_reference_model.py``.

The artifact is plain data (``<version>.npz`` + JSON card, srgvhd.risk.model).

1. Trains on the synthetic reference cohort (33 deaths for 5 coefficients: fewer than the 10 events
   per coefficient of Peduzzi et al. 1995, so ``allow_low_epv`` — the card records it), marks the
   card ``reference_model: true`` with the plain-words statement and the cohort generator's
   assumptions, and promotes it in ``models/``.
2. Replaces ``srgvhd/risk/reference/`` with a copy of that version (artifact, card and the same
   ``active.json`` pointer), which the store falls back to when the active model cannot be used.

Same cohort file → same coefficients, baseline and artifact bytes; only the version name and
``created_at`` differ between runs. ``--fresh`` first empties ``models/`` (versions, pointer,
audit log) so the shipped store holds the reference model alone; it refuses when ``models/``
holds any version that is not a reference model (a centre's own models are never deleted).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from srgvhd.risk.model import ARTIFACT_SUFFIX  # noqa: E402
from srgvhd.risk.provenance import DataSource  # noqa: E402
from srgvhd.risk.store import AUDIT, LEGACY_SUFFIX, POINTER, REFERENCE_DIR, ModelStore  # noqa: E402
from srgvhd.risk.train import train_from_csv  # noqa: E402
from training.generate_reference_cohort import assumptions  # noqa: E402

COHORT = REPO / "training" / "reference_cohort.csv"
BUILDER = "training/build_reference_model.py"


def build(models_dir: Path = REPO / "models", reference_dir: Path = REFERENCE_DIR) -> dict:
    """Train, promote and bundle the reference model; return its card."""
    store = ModelStore(models_dir)
    card = train_from_csv(
        COHORT,
        store=store,
        promote=True,
        allow_low_epv=True,
        who=BUILDER,
        reference_model=True,
        assumptions=assumptions(),
        source_name="training/reference_cohort.csv",
        data_source=DataSource(
            centre="synthetic (training/generate_reference_cohort.py)",
            period=None,
            declared_by=BUILDER,
        ),
    )
    if reference_dir.exists():
        shutil.rmtree(reference_dir)
    reference_dir.mkdir(parents=True)
    for name in (f"{card['version']}{ARTIFACT_SUFFIX}", f"{card['version']}.json", POINTER):
        shutil.copy2(models_dir / name, reference_dir / name)
    ModelStore(reference_dir).load_active_strict()  # the copy verifies like the original
    return card


def empty_shipped_store(models_dir: Path) -> None:
    """Remove every version, the pointer and the audit log — only if all are reference models."""
    cards = ModelStore(models_dir).list_versions() if models_dir.exists() else []
    own = [c["version"] for c in cards if c.get("reference_model") is not True]
    if own:
        raise SystemExit(f"--fresh refused: {models_dir} holds non-reference versions {own}")
    for card in cards:
        for suffix in (ARTIFACT_SUFFIX, LEGACY_SUFFIX, ".json"):
            (models_dir / f"{card['version']}{suffix}").unlink(missing_ok=True)
    for name in (POINTER, AUDIT):
        (models_dir / name).unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="empty models/ first (only reference versions may be there)",
    )
    if parser.parse_args().fresh:
        empty_shipped_store(REPO / "models")
    card = build()
    epv = card["events_per_coefficient"]
    print(
        f"reference model {card['version']}: n={card['n']}, deaths={card['events']} "
        f"({epv} per coefficient); active in models/ and bundled in {REFERENCE_DIR}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
