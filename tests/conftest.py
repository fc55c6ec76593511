"""Suite-wide settings: a non-interactive matplotlib backend, a throwaway data directory (the
case store's default SQLite file is never the user's), and the repository root."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("SRGVHD_DATA_DIR", tempfile.mkdtemp(prefix="srgvhd-test-data-"))

REPO = Path(__file__).resolve().parents[1]
