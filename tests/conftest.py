"""Suite-wide settings: a non-interactive matplotlib backend, a throwaway data directory (the
case store's default SQLite file is never the user's), the repository root, and Hypothesis
profiles that make every failure replayable.

- ``ci`` (when ``CI`` is set, as in ``.ci/run``): derandomized — each property test draws the same
  examples on every run, so a red CI run fails the same way on a developer's machine.
- ``dev`` (otherwise): random exploration, with failing examples kept in ``.hypothesis/examples``
  and replayed first on the next run; ``print_blob`` prints a ``@reproduce_failure`` line.
"""

import os
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("SRGVHD_DATA_DIR", tempfile.mkdtemp(prefix="srgvhd-test-data-"))

REPO = Path(__file__).resolve().parents[1]

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "dev",
    database=DirectoryBasedExampleDatabase(str(REPO / ".hypothesis" / "examples")),
    print_blob=True,
)
_default_profile = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("SRGVHD_HYPOTHESIS_PROFILE") or _default_profile)
