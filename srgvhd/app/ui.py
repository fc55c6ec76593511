"""Streamlit pieces shared by every page: the cached active model, the model banner, page CSS.

The model is loaded once per process (``st.cache_resource``), keyed by the model directory and
by a stat of its active pointer (active.json: inode, mtime_ns, size), so a model activated outside
the app (``srgvhd models --activate``) is picked up on the next run; the Model page also clears
the cache after an activation or promotion. Loading reads a plain-data artifact (numpy only, no
lifelines or scipy); pages still call ``active_model`` after their form is drawn.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.i18n import N_, _, current, problems_message

if TYPE_CHECKING:
    import pyarrow as pa

    from srgvhd.clinical.case import Case
    from srgvhd.errors import InputError
    from srgvhd.risk.model import RiskModel
    from srgvhd.risk.patient import PatientResult

REFERENCE_MODEL_WARNING = N_(
    "Synthetic reference model — retrain on your centre's data before clinical use"
)

# On screen: narrower side padding of the wide layout (5rem), so four assessment fields side by
# side and the result tables fit a 1366 px screen beside the sidebar. In print: Streamlit's
# chrome and the input widgets' controls hidden.
PAGE_CSS = """
<style>
@media screen and (min-width: 1024px) {
  [data-testid="stMainBlockContainer"] {
    padding-left: 2rem !important;
    padding-right: 2rem !important;
  }
}
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stFileUploader"], [data-testid="stDownloadButton"],
  [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"],
  [data-testid="stNumberInputStepUp"], [data-testid="stNumberInputStepDown"],
  [data-testid="stElementToolbar"], [data-testid="stStatusWidget"] {
    display: none !important;
  }
  [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    overflow: visible !important;
    height: auto !important;
  }
  [data-testid="stMainBlockContainer"] {
    max-width: 100% !important;
    padding: 0.5rem !important;
  }
}
</style>
"""


# Characters that start inline Markdown/Streamlit syntax: escapes, code, emphasis, links,
# strikethrough, tables, math, HTML. Block syntax (#, -, >) only acts at a line start, and
# ``plain`` keeps everything on one line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|$>])")


def problems_text(exc: InputError) -> str:
    """A refusal's problems in the current language where they are messages (the store's and
    the engine's ``Msg``), each after the field it names."""
    return current().text(problems_message(exc.problems))


def plain(text: object) -> str:
    """``text`` made safe to show inside Markdown: every Markdown character backslash-escaped and
    ``<``/``&`` turned into entities, so file names, cell values and messages quoting them are
    shown exactly as typed, never rendered as Markdown or HTML."""
    one_line = " ".join(str(text).splitlines())
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


@dataclass
class ActiveModel:
    """The active model (None when none could be loaded), the store's warnings, and why not."""

    model: RiskModel | None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def inject_css() -> None:
    """Add the page's stylesheet (screen padding, ``@media print`` rules)."""
    st.html(PAGE_CSS)


PointerStamp = tuple[int, int, int] | None


def pointer_stamp(models_dir: Path) -> PointerStamp:
    """(inode, mtime_ns, size) of the store's active pointer, None when there is none: one cheap
    stat per run. The store replaces the pointer atomically (new file, rename), so an activation
    changes at least the inode."""
    from srgvhd.risk.store import POINTER

    try:
        stat = (models_dir / POINTER).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


@st.cache_resource(show_spinner="Loading the risk model…", max_entries=4)
def _load_active(models_dir: str, stamp: PointerStamp) -> ActiveModel:
    """Load the active model of the store in ``models_dir`` (or the bundled reference model).

    ``stamp`` (``pointer_stamp``) is only part of the cache key. A failure raises, so it is not
    cached: the next run tries again.
    """
    from srgvhd.risk.store import ModelStore

    model, warnings = ModelStore(Path(models_dir)).load_active()
    return ActiveModel(model, list(warnings))


def active_model() -> ActiveModel:
    """The active model of this process's model directory (loaded once per pointer change)."""
    from srgvhd.errors import InputError
    from srgvhd.risk.store import default_root

    root = default_root()
    try:
        return _load_active(str(root), pointer_stamp(root))
    except InputError as exc:  # StoreError: neither the active nor the reference model loads
        return ActiveModel(None, [], str(exc))


def clear_model_cache() -> None:
    """Forget the loaded model, after an activation or promotion changed the active one."""
    _load_active.clear()


def draw_banner() -> None:
    """The banner every page shows: the active model version and where its data came from —
    "synthetic reference data" (a warning) or "centre data: <centre>, <period>" as declared at
    upload (srgvhd.risk.provenance) — and a warning when no model could be loaded."""
    loaded = active_model()
    if loaded.model is None:
        st.warning(
            _(
                "No active risk model: {error}. Survival estimates are unavailable.",
                error=plain(current().text(str(loaded.error))),
            )
        )
        return
    card = loaded.model.card
    version = plain(card.version)
    source = plain(current().text(card.source_sentence()))
    if card.synthetic:
        st.warning(
            _(
                "Risk model {version} ({source}). {warning}.",
                version=version,
                source=source,
                warning=_(REFERENCE_MODEL_WARNING),
            ),
            icon=":material/warning:",
        )
    else:
        trained_on = card.training_file_name or _("an unnamed file")
        st.info(
            _(
                "Risk model {version} ({source}; trained on {file}).",
                version=version,
                source=source,
                file=plain(trained_on),
            )
        )
    for warning in loaded.warnings:
        st.warning(plain(current().text(warning)))


def arrow_table(build: Callable[..., list[dict[str, Any]]], *args: Hashable) -> pa.Table:
    """``build(*args)``'s display rows as an Arrow table, built once per process for the same
    arguments and language: ``st.table`` then sends it as it is instead of converting a pandas
    frame on every rerun (that conversion was a fifth of the Assess page's time under load:
    perf/results/load.md). For tables shown without an index; the table is immutable, so sharing
    it is safe. The rows' words are the run's language, so the language is part of the key."""
    return _arrow_table(current().lang, build, *args)


@functools.lru_cache(maxsize=64)
def _arrow_table(
    lang: str, build: Callable[..., list[dict[str, Any]]], *args: Hashable
) -> pa.Table:
    """``arrow_table``'s cache: one table per language, builder and arguments."""
    import pyarrow as pa

    return pa.Table.from_pylist(build(*args))


RESULT_CACHE = "assess_result_cache"


def patient_result(
    state: MutableMapping[str, Any], case: Case, rule_set: str, loaded: ActiveModel
) -> PatientResult:
    """The engine's and the model's result for ``case``, computed again only when the case, the
    rule set or the active model changed since this session's last run (a rerun that changes
    nothing, e.g. opening an expander or downloading, does not re-run the engine). One entry per
    session, so memory stays bounded."""
    from srgvhd.clinical.case import dumps_case
    from srgvhd.risk.patient import assess_patient

    version = None if loaded.model is None else loaded.model.card.version
    key = (dumps_case(case), rule_set, version)
    cached = state.get(RESULT_CACHE)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = assess_patient(case, loaded.model, rule_set=rule_set)
    state[RESULT_CACHE] = (key, result)
    return result
