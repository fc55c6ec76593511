"""Predicting one patient loads only numpy and the standard library (docs/architecture.md,
"What each path imports"): ``import srgvhd.risk.predict`` in a fresh interpreter must not pull in
pandas, pyarrow, scipy, lifelines or Streamlit, and the one-table modules it reads stay
standard-library only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "pyarrow", "scipy", "lifelines", "streamlit", "sklearn", "matplotlib")


def _loaded_after(module: str) -> list[str]:
    """Top-level packages in sys.modules after importing ``module`` in a fresh interpreter."""
    code = (
        "import json, sys\n"
        f"import {module}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "module", ["srgvhd.risk.predict", "srgvhd.risk.model", "srgvhd.risk.covariates"]
)
def test_prediction_path_loads_no_heavy_package(module: str) -> None:
    loaded = _loaded_after(module)
    assert module.split(".")[0] in loaded  # the import itself happened
    assert [name for name in HEAVY if name in loaded] == []


@pytest.mark.parametrize("module", ["srgvhd.clinical.limits", "srgvhd.risk.horizons"])
def test_one_table_modules_need_only_the_standard_library(module: str) -> None:
    loaded = _loaded_after(module)
    assert "numpy" not in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_the_checker_sees_a_heavy_import() -> None:
    """The check above can fail: the cohort reader does load pandas and pyarrow."""
    loaded = _loaded_after("srgvhd.risk.cohort")
    assert "pandas" in loaded and "pyarrow" in loaded
