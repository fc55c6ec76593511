"""One page of the app in a chosen language under AppTest, without the rest of app.py.

The script the AppTest runs is app.py's language selector followed by the page file, so a test
sees exactly that page's elements (no banner, navigation or sign-in sidebar) in the language of
``?lang=``. For the whole app around a page, run app.py and ``switch_page`` instead.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from srgvhd.app.language import QUERY_KEY

VIEWS = Path(__file__).resolve().parents[2] / "views"


def selector_then_page(page: str) -> None:
    """The AppTest script: choose the language as app.py does, then run ``page``."""
    import runpy

    from srgvhd.app.language import choose_language

    choose_language()
    runpy.run_path(page, run_name="__main__")


def page_in_language(page: str, lang: str, *, timeout: float = 60) -> AppTest:
    """An AppTest (not yet run) of ``views/<page>`` in ``lang``."""
    at = AppTest.from_function(
        selector_then_page, default_timeout=timeout, args=(str(VIEWS / page),)
    )
    at.query_params[QUERY_KEY] = lang
    return at
