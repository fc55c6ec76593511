"""``python -m srgvhd.app.serve run app.py [options]``: ``streamlit`` with srgvhd's hardening
installed before the server accepts its first connection (docs/security.md §4).

``app.py`` installs the same guards (``srgvhd.app.guards``) on its first run, which covers every
script run; started through this module they also cover the websocket handshakes that arrive
before any session has run the script (Streamlit's external IP lookup for an unknown cross-site
``Origin``). ``make run`` starts the app this way. The arguments are ``streamlit``'s own.

It also tells Streamlit's server (uvicorn) to take ``X-Forwarded-For`` only from the configured
proxy (``FORWARDED_ALLOW_IPS`` = ``SRGVHD_TRUSTED_PROXY``, none when unset) instead of from every
loopback client, so the addresses it reports are true. srgvhd's own decisions never depend on
this: they read the socket's peer (``srgvhd.app.connection``).
"""

from __future__ import annotations

import os
import sys

from srgvhd.app import guards
from srgvhd.identity import PROXY_ENV

UVICORN_TRUSTED_ENV = "FORWARDED_ALLOW_IPS"


def forwarded_allow_ips(env: dict[str, str] | os._Environ[str]) -> str:
    """The addresses uvicorn may take ``X-Forwarded-For`` from: the deployer's own
    ``FORWARDED_ALLOW_IPS`` when set, else ``SRGVHD_TRUSTED_PROXY`` (empty: nobody)."""
    if env.get(UVICORN_TRUSTED_ENV) is not None:
        return env[UVICORN_TRUSTED_ENV]
    return ",".join(p.strip() for p in (env.get(PROXY_ENV) or "").split(",") if p.strip())


def main(argv: list[str] | None = None) -> None:
    """Install the guards, then run Streamlit's command line with ``argv``."""
    from streamlit.web import cli

    guards.install()
    os.environ[UVICORN_TRUSTED_ENV] = forwarded_allow_ips(os.environ)
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
