"""The app shell, the model banner, and the Model, Benchmarks and About pages (AppTest).

Every test that activates or trains uses its own temporary SRGVHD_MODELS_DIR.
AppTest's ``switch_page`` runs app.py and then the page through its navigation, as a browser
session does (the page files live in ``views/``, not ``pages/``, so Streamlit never takes its
legacy route of running a page file on its own).
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest
from streamlit import config
from streamlit.material_icon_names import ALL_MATERIAL_ICONS
from streamlit.testing.v1 import AppTest

from srgvhd.app.ui import pointer_stamp
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.risk.store import REFERENCE_DIR, ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
REFERENCE_BANNER = "Synthetic reference model — retrain on your centre's data before clinical use"
COHORT = cohort_csv(synthetic_cohort(150, seed=1))


def _train(root: Path, *, promote: bool, reference: bool = False) -> str:
    card = train_from_csv(
        COHORT,
        store=ModelStore(root),
        promote=promote,
        reference_model=reference,
        source_name="centre.csv",
    )
    return card["version"]


def _app(root: Path, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def fit_and_wait(at: AppTest, timeout: float = 60.0) -> AppTest:
    """Click "Validate and fit" and rerun until the background training has finished."""
    at.button(key="model_fit").click().run()
    deadline = time.monotonic() + timeout
    while _training(at):
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.1)
        at.run()
    assert not at.exception
    return at


def _training(at: AppTest) -> bool:
    try:
        return at.session_state["model_training_job"] is not None
    except KeyError:
        return False


@pytest.fixture
def two_versions(tmp_path) -> tuple[Path, str, str]:
    """A store with an active version and a newer, inactive one."""
    first = _train(tmp_path, promote=True)
    second = _train(tmp_path, promote=False)
    return tmp_path, first, second


def _centre_banner(version: str, file_name: str) -> str:
    """The banner of a centre model trained without a declared source (``source_sentence``)."""
    return f"Risk model {version} (centre data: source not declared; trained on {file_name})."


def _reference_banner(version: str) -> str:
    return f"Risk model {version} (synthetic reference data). {REFERENCE_BANNER}."


def test_banner_names_the_active_centre_model(tmp_path, monkeypatch) -> None:
    version = _train(tmp_path, promote=True)
    at = _app(tmp_path, monkeypatch)
    assert _centre_banner(version, "centre.csv") in _texts(at.info)
    assert not any(REFERENCE_BANNER in t for t in _texts(at.warning))


def test_banner_warns_about_the_reference_model(tmp_path, monkeypatch) -> None:
    version = _train(tmp_path, promote=True, reference=True)
    at = _app(tmp_path, monkeypatch)
    assert _reference_banner(version) in _texts(at.warning)


def test_without_an_active_model_the_bundled_reference_model_is_named(
    tmp_path, monkeypatch
) -> None:
    reference = ModelStore(REFERENCE_DIR).active_version()
    at = _app(tmp_path, monkeypatch)  # an empty store
    warnings = _texts(at.warning)
    assert _reference_banner(reference) in warnings
    assert any("no model has been activated" in w and reference in w for w in warnings)


def _banner_of_a_new_session(root: Path, monkeypatch) -> list[str]:
    """The banner a new visitor sees: the model cache is per process, so this shows whether
    an activation cleared it."""
    return _texts(_app(root, monkeypatch).info)


def test_model_page_lists_versions_and_activates_one(two_versions, monkeypatch) -> None:
    root, first, second = two_versions
    at = _app(root, monkeypatch, "views/model.py")
    lines = _texts(at.markdown)
    assert any(t.startswith(f"{first} (") and t.endswith("— active") for t in lines)
    assert any(t.startswith(f"{second} (") and not t.endswith("— active") for t in lines)
    assert [b.key for b in at.button if b.key.startswith("model_activate_")] == [
        f"model_activate_{second}"
    ]
    _banner_of_a_new_session(root, monkeypatch)  # the first version is now cached
    at.button(key=f"model_activate_{second}").click().run()
    assert ModelStore(root).active_version() == second
    assert _centre_banner(second, "centre.csv") in _banner_of_a_new_session(root, monkeypatch)
    log = ModelStore(root).audit_log()
    assert [(e["action"], e["from_version"], e["to_version"]) for e in log][-1] == (
        "activate",
        first,
        second,
    )


def test_model_page_shows_published_hazard_ratios_beside_the_model(
    two_versions, monkeypatch
) -> None:
    at = _app(two_versions[0], monkeypatch, "views/model.py")
    coefficients = at.table[0].value
    # Niu et al. 2026 multivariate Cox model: HR (95% CI) for age >=35, grade IV, Hb <=90 g/L
    assert set(coefficients["HR (95% CI), published"]) >= {
        "5.02 (1.01–24.93)",
        "5.63 (1.09–29.09)",
        "5.13 (1.57–16.77)",
    }
    assert "HR (95% CI), this model" in coefficients.columns


def test_retraining_a_bad_file_lists_every_problem_and_changes_nothing(
    two_versions, monkeypatch
) -> None:
    root, first, _ = two_versions
    at = _app(root, monkeypatch, "views/model.py")
    lines = COHORT.decode().splitlines()
    lines[2] = lines[2].replace(",II,", ",V,").replace(",III,", ",V,").replace(",IV,", ",V,")
    lines[4] = lines[3]  # duplicate patient_id
    bad = ("\n".join(lines) + "\n").encode()
    before = ModelStore(root).list_versions()
    at.file_uploader(key="model_cohort_csv").set_value(("bad.csv", bad, "text/csv")).run()
    fit_and_wait(at)
    assert not at.code  # shown wrapped, never in a code block cut at the edge
    report = [as_read(line) for line in at.error[0].value.splitlines()]
    assert report[0].startswith("The file was refused")
    assert any(line.startswith("- row 3, column grade") for line in report)
    assert any(line.startswith("- row 5, column patient_id") for line in report)
    assert ModelStore(root).list_versions() == before
    assert ModelStore(root).active_version() == first


def test_retrain_then_promote(tmp_path, monkeypatch) -> None:
    first = _train(tmp_path, promote=True)
    at = _app(tmp_path, monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value(("new.csv", COHORT, "text/csv")).run()
    fit_and_wait(at)
    assert ModelStore(tmp_path).active_version() == first  # fitted, not yet active
    assert any(t == "**New (not active)**" for t in _texts(at.markdown))
    # The one-line summary and Promote come before the two cards, not below them.
    rows = list(csv.DictReader(io.StringIO(COHORT.decode())))
    deaths = sum(int(row["death"]) for row in rows)
    order = [
        getattr(node, "key", None) or getattr(node, "value", None)
        for node in at.main
        if type(node).__name__ in ("Button", "Markdown")
    ]
    summary = [i for i, t in enumerate(order) if str(t).startswith("New version **")]
    assert len(summary) == 1
    assert f"n = {len(rows)}, deaths = {deaths}" in order[summary[0]]
    assert summary[0] < order.index("model_promote") < order.index("**Current**")
    at.button(key="model_promote").click().run()
    active = ModelStore(tmp_path).active_version()
    assert active != first
    assert _centre_banner(active, "new.csv") in _banner_of_a_new_session(tmp_path, monkeypatch)


@pytest.fixture
def public_address():
    """The server bound to all interfaces, as on a shared host."""
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", "127.0.0.1")


def test_off_loopback_model_changes_need_the_admin_secret(
    two_versions, monkeypatch, public_address
) -> None:
    root, first, second = two_versions
    monkeypatch.setenv("SRGVHD_ADMIN_SECRET", "correct horse battery staple")
    at = _app(root, monkeypatch, "views/model.py")
    assert at.button(key=f"model_activate_{second}").disabled
    at.text_input(key="model_admin_secret").input("wrong").run()
    assert at.button(key=f"model_activate_{second}").disabled
    at.text_input(key="model_admin_secret").input("correct horse battery staple").run()
    assert not at.button(key=f"model_activate_{second}").disabled


def test_off_loopback_without_a_secret_model_changes_are_locked(
    two_versions, monkeypatch, public_address
) -> None:
    root, _, second = two_versions
    monkeypatch.delenv("SRGVHD_ADMIN_SECRET", raising=False)
    at = _app(root, monkeypatch, "views/model.py")
    assert at.button(key=f"model_activate_{second}").disabled
    assert any("locked" in t for t in _texts(at.warning))


def test_benchmarks_page_renders(tmp_path, monkeypatch) -> None:
    _train(tmp_path, promote=True)
    at = _app(tmp_path, monkeypatch, "views/published.py")
    assert at.title[0].value == "Published benchmarks"
    assert len(at.table) + len(at.dataframe) >= 3


def test_about_page_states_purpose_rules_and_limits(tmp_path, monkeypatch) -> None:
    _train(tmp_path, promote=True)
    at = _app(tmp_path, monkeypatch, "views/about.py")
    text = "\n".join(_texts(at.markdown) + _texts(at.warning))
    for rule in PROJECT_RULES:
        assert rule.text in text
    assert "not a substitute for clinical judgement" in text
    assert "Reporting a problem" in [h.value for h in at.header]


def test_a_model_activated_outside_the_app_is_used_on_the_next_run(
    two_versions, monkeypatch
) -> None:
    """A data manager activates a version with the CLI (the store's activate) while a session is
    open: the session's next run uses it, without a restart or a cache clear. The Model page's
    "Active model" card is the cached model (its first "**Version" line)."""
    root, first, second = two_versions

    def active_card_version(at: AppTest) -> str:
        return next(t for t in _texts(at.markdown) if t.startswith("**Version "))

    at = _app(root, monkeypatch, "views/model.py")
    assert active_card_version(at).startswith(f"**Version {first}**")
    ModelStore(root).activate(second)
    at.run()
    assert not at.exception
    assert active_card_version(at).startswith(f"**Version {second}**")


def test_pointer_stamp_changes_when_the_active_version_changes(two_versions) -> None:
    root, first, second = two_versions
    before = pointer_stamp(root)
    assert before is not None
    ModelStore(root).activate(second)
    assert pointer_stamp(root) != before
    assert pointer_stamp(root / "empty") is None


# Emoji and their variation selector: Debian Chromium has no colour-emoji font (empty boxes).
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def test_icons_are_material_symbols_not_emoji() -> None:
    ui_helpers = ROOT / "srgvhd" / "app" / "ui.py"
    sources = [ROOT / "app.py", ui_helpers, *sorted((ROOT / "views").glob("*.py"))]
    names = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not _EMOJI.search(text), path.name
        names += re.findall(r'icon=":material/([a-z0-9_]+):"', text)
    assert len(names) >= 4  # the four pages of the navigation
    assert set(names) <= ALL_MATERIAL_ICONS


EPV_CHECKBOX = "Allow fewer than the recommended events per coefficient (recorded on the card)"
COMPLETE_ROWS_CHECKBOX = (
    "Fit on complete rows only (rows with an empty cell are left out and listed on the card)"
)


def test_low_epv_refusal_names_the_checkbox_in_wrapped_text(tmp_path, monkeypatch) -> None:
    reference = (ROOT / "training" / "reference_cohort.csv").read_bytes()  # 33 deaths, 5 coef.
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value(("paper.csv", reference, "text/csv"))
    fit_and_wait(at.run())
    assert not at.code
    (error,) = [as_read(e.value) for e in at.error]
    assert "6.6 events per coefficient" in error
    assert f"To fit anyway, tick “{EPV_CHECKBOX}” above and fit again." in error
    assert "--allow-low-epv" not in error
    at.checkbox(key="model_allow_low_epv").check().run()
    fit_and_wait(at)
    assert not at.error
    assert any(t == "**New (not active)**" for t in _texts(at.markdown))


def test_incomplete_rows_refusal_names_the_checkbox_and_the_fit_lists_them(
    tmp_path, monkeypatch
) -> None:
    lines = COHORT.decode().splitlines()
    hb = lines[0].split(",").index("hemoglobin_g_l")
    for i in (4, 9):
        cells = lines[i].split(",")
        cells[hb] = ""
        lines[i] = ",".join(cells)
    data = ("\n".join(lines) + "\n").encode()
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value(("gaps.csv", data, "text/csv"))
    fit_and_wait(at.run())
    (error,) = [as_read(e.value) for e in at.error]
    assert "- row 5, column hemoglobin_g_l: is empty" in error
    assert f"tick “{COMPLETE_ROWS_CHECKBOX}” above" in error
    at.checkbox(key="model_complete_rows").check().run()
    fit_and_wait(at)
    assert not at.error
    labels = [e.label for e in at.expander]
    assert "Rows left out because a cell was empty (2)" in labels
    (comparison,) = [t.value for t in at.table if "new (not active)" in t.value.columns]
    left_out = comparison.set_index("").loc["rows left out (complete rows)"]
    assert left_out["new (not active)"] == "2"


def test_semicolon_file_trains_and_says_how_it_was_read(tmp_path, monkeypatch) -> None:
    data = COHORT.decode().replace(",", ";").encode("utf-16")
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    at.file_uploader(key="model_cohort_csv").set_value(("excel.txt", data, "text/plain"))
    fit_and_wait(at.run())
    assert not at.error
    captions = [as_read(c.value) for c in at.caption]
    assert any(
        "read as semicolon-separated, decimal point, UTF-16, LF line ends" in c for c in captions
    ), captions


def test_no_legacy_pages_folder_beside_the_app() -> None:
    """Streamlit runs the files of a ``pages/`` folder beside app.py on their own (without
    app.py's language, sign-in state and banner) until the process's first ``st.navigation``;
    the page files live in ``views/`` (tests/browser/test_page_address.py drives it)."""
    assert not (ROOT / "pages").exists()
    assert (ROOT / "views" / "assess.py").exists()
