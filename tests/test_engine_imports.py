"""The clinical engine imports neither pandas, nor the risk model, nor Streamlit
(docs/architecture.md: ``clinical/`` is the pure core every renderer builds on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_clinical_package_stays_pure() -> None:
    code = (
        "import sys, pkgutil, importlib, srgvhd.clinical as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module(f'srgvhd.clinical.{m.name}')\n"
        "bad = ('pandas', 'srgvhd.risk', 'streamlit', 'lifelines', 'scipy', 'numpy')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad or m.startswith(bad)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "[]"
