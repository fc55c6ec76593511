"""The sign-in state as the app draws it, with Streamlit's AppTest (nobody is signed in: AppTest
has no identity cookie, and the tests never fake ``st.user``): unsigned without ``[auth]``,
"Not signed in" and no cases with it, a wrong ``[srgvhd]`` setting named; and the viewer's
read-only store (srgvhd.app.cases.ReadOnlyStore). Signing in is in tests/browser/test_signin.py,
through a real provider."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.access import Action, Role, refusal
from srgvhd.app.cases import ReadOnlyStore
from srgvhd.casestore.store import CaseStore
from srgvhd.errors import InputError
from tests.cases import course

REPO = Path(__file__).resolve().parents[1]
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "c" * 64,
    "client_id": "srgvhd",
    "client_secret": "s" * 32,
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def app(tmp_path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_DATABASE_URL", f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_without_auth_the_app_says_it_is_unsigned_and_names_the_os_user(app) -> None:
    at = app.run()
    assert not at.exception
    text = _sidebar_text(at)
    assert "Unsigned: no hospital sign-on is configured" in text
    assert f"recorded as {getpass.getuser()} (OS user)" in text
    assert not [b for b in at.sidebar.button if b.label in ("Sign in", "Sign out")]


def test_with_auth_nobody_is_signed_in_and_no_case_is_served(app) -> None:
    app.secrets["auth"] = AUTH
    at = app.run()
    assert not at.exception
    assert "Not signed in" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]
    assert any("Case store unavailable: sign in" in e.value for e in at.error)
    assert not at.dataframe  # no ward list
    assert "OS user" not in _sidebar_text(at)  # never the loopback OS user once sign-in is on


def test_a_wrong_role_setting_is_named_and_signs_nobody_in(app) -> None:
    app.secrets["auth"] = AUTH
    app.secrets["srgvhd"] = {"role_values": {"GVHD.Admin": "admin"}}
    at = app.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\_", "_")  # markdown-escaped
    assert "the sign-in settings are wrong (srgvhd.role_values.GVHD.Admin:" in errors


def test_the_viewers_store_reads_and_refuses_every_write(tmp_path: Path) -> None:
    store = CaseStore(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    try:
        store.save("V-1", course((0, 2, 0, 0, 1)), "Ana Lee (sub ana)")
        reason = refusal(Role.VIEWER, Action.SAVE)
        viewer = ReadOnlyStore(store, reason)
        assert [c["code"] for c in viewer.list_cases()] == ["V-1"]
        assert [v["version"] for v in viewer.history("V-1")] == [1]
        assert viewer.export("V-1")
        for write in ("save", "close_course", "reopen", "change_identity", "backup"):
            with pytest.raises(InputError, match="^role: Your role is viewer"):
                getattr(viewer, write)("V-1", {}, "Victor Reade (sub vic)")
        assert [v["version"] for v in store.history("V-1")] == [1]
    finally:
        store.close()
