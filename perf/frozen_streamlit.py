"""``streamlit`` with the heavy imports done and the heap frozen first (perf/results/load-gc.md).

Used only by ``perf/load_check.py --gc-freeze`` to measure the alternative to turning
Streamlit's post-script garbage collection off: import what the pages import (Streamlit, pandas,
Altair, the risk model with lifelines), load the active model, then ``gc.freeze()`` so that the
full collection Streamlit runs after every script run skips those ~200k long-lived objects.
Arguments are ``streamlit``'s own (``run app.py --server.port …``).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import altair  # noqa: F401
    import pandas  # noqa: F401
    from streamlit.web import cli

    from srgvhd.risk.store import ModelStore, default_root

    ModelStore(default_root()).load_active()
    gc.collect()
    gc.freeze()
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
