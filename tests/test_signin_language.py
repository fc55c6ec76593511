"""The sign-in state, roles and the EHR launch's words in the reader's language (srgvhd.app.signin,
srgvhd.access, srgvhd.identity): the sidebar under AppTest in German and Chinese, with nobody
signed in (with and without ``[auth]``), a signed-in clinician, a session past its length and a
SMART launch. AppTest has no identity cookie, so the signed-in states come from the real rules
(``srgvhd.identity.identify`` / ``launch_identity`` on ID-token claims) handed to the sidebar in
place of the request's identity. Expected words are written by hand from docs/glossary.md
("Sign-in and the EHR")."""

from __future__ import annotations

import getpass
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.access import AccessConfig, Action, Role, refusal
from srgvhd.app.language import QUERY_KEY
from srgvhd.i18n import current, using
from srgvhd.identity import Identity, duration_words, identify, launch_identity
from tests.test_signin_app import AUTH

REPO = Path(__file__).resolve().parents[1]
NOW = time.time()
ANA = {"sub": "ana-7", "name": "Ana Lee", "roles": ["clinician"]}
# The English of what this module's code says: none of it may be left in another language.
ENGLISH = (
    "Signed in as",
    "Not signed in",
    "Unsigned",
    "no hospital sign-on",
    "Saves are recorded",
    "saves are recorded",
    "Session ended",
    "sign in again",
    "Opened from the EHR",
    "Close the EHR window",
    "role clinician",
    "no srgvhd role",
    "hours",
    "Your unsaved entry",
)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_DATABASE_URL", f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _as(monkeypatch: pytest.MonkeyPatch, identity: Identity) -> None:
    """The sidebar sees ``identity`` (what the request's cookie would have given)."""
    monkeypatch.setattr("srgvhd.app.signin.current_identity", lambda: identity)


def _run(at: AppTest, lang: str) -> AppTest:
    at.query_params[QUERY_KEY] = lang
    with using(lang):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sidebar(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def _shown(at: AppTest) -> str:
    """Every sentence and button label this module's code can draw."""
    parts = [_sidebar(at), *(b.label for b in at.button)]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    parts += [i.value for i in at.info]
    return " ".join(parts)


def _no_english(at: AppTest) -> None:
    shown = _shown(at)
    left = [words for words in ENGLISH if words in shown]
    assert not left, (left, shown)
    assert [b.label for b in at.button if b.label in ("Sign in", "Sign out")] == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "de",
            "Ohne Anmeldung: auf diesem Server ist keine Krankenhaus-Anmeldung eingerichtet. "
            "Speicherungen werden als {user} (OS user) vermerkt.",
        ),
        ("zh", "未登录：此服务器未配置医院统一登录。保存将记录为 {user} (OS user)。"),
    ],
)
def test_unsigned_in_german_and_chinese(app: AppTest, lang: str, words: str) -> None:
    at = _run(app, lang)
    assert words.format(user=getpass.getuser()) in _sidebar(at).replace("\\", "")
    _no_english(at)


@pytest.mark.parametrize(
    ("lang", "caption", "button"),
    [
        (
            "de",
            "Nicht angemeldet. Melden Sie sich mit dem Krankenhauskonto an, um Gespeichertes zu "
            "öffnen, zu speichern oder zu ändern.",
            "Anmelden",
        ),
        ("zh", "未登录。请使用医院账户登录，以打开、保存或更改已存储的内容。", "登录"),
    ],
)
def test_nobody_signed_in_in_german_and_chinese(
    app: AppTest, lang: str, caption: str, button: str
) -> None:
    app.secrets["auth"] = AUTH
    at = _run(app, lang)
    assert caption in _sidebar(at)
    assert [b.label for b in at.sidebar.button] == [button]
    _no_english(at)


@pytest.mark.parametrize(
    ("lang", "role_claim", "words"),
    [
        ("de", ["clinician"], "Angemeldet als Ana Lee (sub ana-7), Rolle „Kliniker“."),
        ("de", ["data-manager"], "Angemeldet als Ana Lee (sub ana-7), Rolle „Datenmanager“."),
        ("de", ["Cardiology"], "Angemeldet als Ana Lee (sub ana-7), ohne srgvhd-Rolle."),
        ("zh", ["viewer"], "已登录：Ana Lee (sub ana-7)，角色：查阅者。"),
        ("zh", ["clinician"], "已登录：Ana Lee (sub ana-7)，角色：临床医师。"),
        ("zh", [], "已登录：Ana Lee (sub ana-7)，无 srgvhd 角色。"),
    ],
)
def test_signed_in_with_a_role_in_german_and_chinese(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, lang: str, role_claim: list, words: str
) -> None:
    claims = {**ANA, "roles": role_claim, "iat": NOW - 60}
    identity = identify(
        server_address="127.0.0.1",
        peer="127.0.0.1",
        headers={},
        oidc_configured=True,
        oidc_claims=claims,
        access=AccessConfig(),
        now=NOW,
    )
    assert identity.signed_in and not identity.expired
    _as(monkeypatch, identity)
    app.secrets["auth"] = AUTH
    at = _run(app, lang)
    assert words in _sidebar(at).replace("\\", "")
    assert [b.label for b in at.sidebar.button] == [{"de": "Abmelden", "zh": "退出登录"}[lang]]
    _no_english(at)


@pytest.mark.parametrize(
    ("lang", "warning", "button"),
    [
        (
            "de",
            "Sitzung beendet: Ihre Anmeldung ist älter als 12 Stunden: melden Sie sich erneut an.",
            "Anmelden",
        ),
        ("zh", "会话已结束：您的登录已超过12 小时：请重新登录。", "登录"),
    ],
)
def test_an_expired_session_in_german_and_chinese(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, lang: str, warning: str, button: str
) -> None:
    identity = identify(
        server_address="127.0.0.1",
        peer="127.0.0.1",
        headers={},
        oidc_configured=True,
        oidc_claims={**ANA, "iat": NOW - 13 * 3600},
        access=AccessConfig(),
        now=NOW,
    )
    assert identity.expired
    _as(monkeypatch, identity)
    app.secrets["auth"] = AUTH
    at = _run(app, lang)
    assert any(w.value.startswith(warning) for w in at.warning), [w.value for w in at.warning]
    assert button in [b.label for b in at.button]
    _no_english(at)


@pytest.mark.parametrize(
    ("lang", "granted", "words"),
    [
        (
            "de",
            "clinician",
            "Aus der Patientenakte (KIS) geöffnet: Speicherungen werden als Dr Ana Lee "
            "(fhirUser Practitioner/123) vermerkt, Rolle „Kliniker“. Schließen Sie das Fenster "
            "der Akte, um den Start zu beenden.",
        ),
        (
            "zh",
            "viewer",
            "从电子病历打开：保存将记录为 Dr Ana Lee (fhirUser Practitioner/123)，角色：查阅者。"
            "关闭电子病历窗口即结束本次启动。",
        ),
        (
            "zh",
            "",
            "从电子病历打开：保存将记录为 Dr Ana Lee (fhirUser Practitioner/123)，无 srgvhd 角色。"
            "关闭电子病历窗口即结束本次启动。",
        ),
    ],
)
def test_an_ehr_launch_in_german_and_chinese(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, lang: str, granted: str, words: str
) -> None:
    claims = {
        "sub": "u-1",
        "fhirUser": "Practitioner/123",
        "name": "Dr Ana Lee",
        "iat": NOW - 60,
    }
    env = {"SRGVHD_SMART_ROLE": granted}
    identity = launch_identity(claims, None, AccessConfig(), env=env, now=NOW)
    _as(monkeypatch, identity)
    at = _run(app, lang)
    assert words in _sidebar(at).replace("\\", "")
    _no_english(at)


def test_a_launch_that_named_nobody_says_so_in_german(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, launch_identity(None, None, AccessConfig(), now=NOW))
    at = _run(app, "de")
    assert (
        "Speicherungen werden als niemand (der Start aus der Patientenakte hat nicht gesagt, "
        "wer Sie sind) vermerkt, ohne srgvhd-Rolle." in _sidebar(at)
    )
    _no_english(at)


# ---------------------------------------------------------------- the same words without the app


@pytest.mark.parametrize(
    ("lang", "role", "action", "expected"),
    [
        (
            "de",
            Role.VIEWER,
            Action.SAVE,
            "Ihre Rolle ist „Leser“: Sie dürfen nicht Verläufe speichern, abschließen oder ändern "
            "(dafür braucht es die Rolle „Kliniker“ oder höher). Eine in der Krankenhaus-Anmeldung "
            "geänderte Rolle gilt ab Ihrer nächsten Anmeldung.",
        ),
        (
            "zh",
            Role.CLINICIAN,
            Action.MODEL,
            "您的角色是临床医师：您不能训练、启用或回退风险模型（需要数据管理员或更高的角色）。"
            "在医院统一登录中更改的角色自下次登录起生效。",
        ),
        (
            "fr",
            None,
            Action.READ,
            "Votre compte n'a pas de rôle srgvhd : vous ne pouvez donc pas consulter les "
            "évolutions. Demandez à l'administrateur de l'authentification de l'hôpital le rôle "
            "lecteur (viewer), clinicien (clinician) ou gestionnaire de données (data-manager).",
        ),
    ],
)
def test_a_refusal_by_role_is_one_whole_sentence_in_each_language(
    lang: str, role: Role | None, action: Action, expected: str
) -> None:
    reason = refusal(role, action)
    with using(lang):
        assert current().text(reason) == expected
    assert str(reason).startswith(("Your role is", "Your account has no srgvhd role"))  # English


@pytest.mark.parametrize(
    ("hours", "en", "de", "fr", "zh"),
    [
        (12, "12 hours", "12 Stunden", "12 heures", "12 小时"),
        (1, "1 hour", "1 Stunde", "1 heure", "1 小时"),
        (1.5, "1.5 hours", "1,5 Stunden", "1,5 heures", "1.5 小时"),
        (0.5, "30 minutes", "30 Minuten", "30 minutes", "30 分钟"),
        (1 / 3600, "1 second", "1 Sekunde", "1 seconde", "1 秒"),
    ],
)
def test_a_session_length_in_four_languages(
    hours: float, en: str, de: str, fr: str, zh: str
) -> None:
    words = duration_words(hours)
    assert words == en
    for lang, expected in (("de", de), ("fr", fr), ("zh", zh)):
        with using(lang):
            assert current().text(words) == expected


def test_the_identity_problems_stay_english_for_the_log_and_are_french_on_the_page() -> None:
    expired = identify(
        server_address="127.0.0.1",
        peer="127.0.0.1",
        headers={},
        oidc_configured=True,
        oidc_claims={**ANA, "iat": NOW - 13 * 3600},
        access=AccessConfig(),
        now=NOW,
    )
    assert expired.problem == "your sign-in is older than 12 hours: sign in again"
    nobody = identify(server_address="0.0.0.0", peer="10.0.0.9", headers={})
    with using("fr"):
        said_expired = current().text(expired.problem)
        said_nobody = current().text(nobody.problem)
    assert said_expired == "votre connexion date de plus de 12 heures : reconnectez-vous"
    assert said_nobody.startswith("ce serveur est joignable depuis d'autres machines")
    assert said_nobody.endswith("le registre des dossiers n'est pas servi")


def test_a_wrong_role_setting_is_named_in_german(app: AppTest) -> None:
    app.secrets["auth"] = AUTH
    app.secrets["srgvhd"] = {"role_values": {"GVHD.Admin": "admin"}}
    at = _run(app, "de")
    errors = [e.value.replace("\\", "") for e in at.sidebar.error]
    assert errors == [
        "die Anmeldeeinstellungen sind falsch (srgvhd.role_values.GVHD.Admin: 'admin' ist keine "
        "Rolle (viewer, clinician oder data-manager))"
    ], errors
    _no_english(at)
