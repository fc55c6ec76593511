"""``python -m srgvhd.app.serve run app.py [options]``: ``streamlit`` with srgvhd's hardening
installed before the server accepts its first connection (docs/security.md §4).

``app.py`` installs the same guards (``srgvhd.app.guards``) on its first run, which covers every
script run; started through this module they also cover the websocket handshakes that arrive
before any session has run the script (Streamlit's external IP lookup for an unknown cross-site
``Origin``). ``make run`` starts the app this way. The arguments are ``streamlit``'s own.
"""

from __future__ import annotations

import sys

from srgvhd.app import guards


def main(argv: list[str] | None = None) -> None:
    """Install the guards, then run Streamlit's command line with ``argv``."""
    from streamlit.web import cli

    guards.install()
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
