"""A real OpenID Connect provider on loopback for the sign-in tests: PyPI's ``oidc-provider-mock``
(``python -m oidc_provider_mock``), started by the tests on a free port, with users set through
its ``PUT /users/{sub}`` (claims such as ``name`` and the roles claim go into the ID token).

Also the app started against it: ``streamlit run app.py`` with a ``secrets.toml`` in a temporary
directory whose ``[auth]`` points at the provider and whose ``[srgvhd]`` maps the test's groups
claim to the app's roles. Nothing but 127.0.0.1 is used.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.local_server import HOST, REPO, free_port, start, stop

START_TIMEOUT_S = 60.0
ROLE_CLAIM = "groups"
ROLE_VALUES = {  # the hospital's group names, deliberately not the app's role names
    "gvhd-readers": "viewer",
    "gvhd-physicians": "clinician",
    "gvhd-registry": "data-manager",
}
GROUP_OF = {role: group for group, role in ROLE_VALUES.items()}


@dataclass(frozen=True)
class Provider:
    """A running provider: its issuer URL."""

    url: str

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def put_user(self, sub: str, claims: dict[str, object]) -> None:
        """Create or replace the user ``sub`` with these ID-token claims."""
        request = urllib.request.Request(
            f"{self.url}/users/{sub}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204, response.status

    def put_role(self, sub: str, name: str, role: str | None) -> None:
        """A user whose groups claim maps to ``role`` (None: a group the app does not map)."""
        groups = [GROUP_OF[role]] if role else ["hospital-staff"]
        self.put_user(sub, {"name": name, "email": f"{sub}@hospital.test", ROLE_CLAIM: groups})


@contextlib.contextmanager
def provider(log: Path) -> Iterator[Provider]:
    """``python -m oidc_provider_mock`` on a free loopback port until the block ends."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", HOST, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the provider exited: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(Provider(url).metadata_url, timeout=2) as response:
                    if json.load(response).get("issuer"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the provider did not answer in time")
            time.sleep(0.1)
        yield Provider(url)
    finally:
        stop(process)


def write_secrets(
    path: Path, app_port: int, metadata_url: str, *, session_hours: float = 12
) -> Path:
    """A ``secrets.toml`` as docs/deploying.md §8 describes it, for the app on ``app_port``."""
    values = "\n".join(f'"{group}" = "{role}"' for group, role in ROLE_VALUES.items())
    path.write_text(
        f"""[auth]
redirect_uri = "http://{HOST}:{app_port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "srgvhd-ward"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{metadata_url}"

[srgvhd]
role_claim = "{ROLE_CLAIM}"
session_hours = {session_hours}

[srgvhd.role_values]
{values}
""",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def signed_app(
    root: Path,
    metadata_url: str,
    models: Path,
    *,
    session_hours: float = 12,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """``streamlit run app.py`` with sign-in against ``metadata_url``, its own case store in
    ``root`` and the model store ``models``; yields the app's URL."""
    port = free_port()
    secrets_file = write_secrets(
        root / "secrets.toml", port, metadata_url, session_hours=session_hours
    )
    process = start(
        REPO / "app.py",
        port,
        root / "streamlit.log",
        "--secrets.files",
        str(secrets_file),
        env={
            "SRGVHD_MODELS_DIR": str(models),
            "SRGVHD_DATA_DIR": str(root / "data"),
            "SRGVHD_DATABASE_URL": "",
            "SRGVHD_ADMIN_SECRET": "",
            "SRGVHD_SESSION_HOURS": "",
            "MPLBACKEND": "Agg",
            **(env or {}),
        },
    )
    try:
        yield f"http://{HOST}:{port}"
    finally:
        stop(process)
