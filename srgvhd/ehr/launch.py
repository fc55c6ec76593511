"""The two SMART routes served beside the Streamlit app (``ehr_app.py``, Streamlit's
``streamlit.starlette.App(..., routes=)``): ``/smart/launch`` and ``/smart/callback``
(srgvhd.ehr.smart; docs/ehr.md). No Streamlit here.

The launch sets a short-lived HttpOnly cookie that ties the callback to the browser that began
the sign-in; the callback replaces it with the session cookie (HttpOnly, SameSite=Lax, Secure
over https) and sends the browser to the app, which opens the Assess page — the address bar
never holds a token. A failure answers with a plain page that says what went wrong and what
to do, in the browser's language (its ``Accept-Language``; English otherwise).
"""

from __future__ import annotations

import html
import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from srgvhd.ehr import smart
from srgvhd.ehr.client import EhrError
from srgvhd.i18n import DEFAULT_LANGUAGE, N_, _, current, using
from srgvhd.i18n.language import language_of

LAUNCH_PATH = "/smart/launch"
CALLBACK_PATH = "/smart/callback"
FLOW_COOKIE = "srgvhd_smart_flow"
SESSION_COOKIE = "srgvhd_ehr"
# The app's root, not /assess: a session's first load of a page's own URL would run that page
# without app.py's navigation; app.py sends a fresh launch on to the Assess page.
AFTER_SIGN_IN = "/"
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


NOT_SET_UP = N_("EHR launch is not set up")
NO_REGISTRATION = N_("This installation has no SMART registration (client id, redirect URI, EHR).")
NOT_STARTED = N_("Could not start the sign-in")
NOT_COMPLETED = N_("The sign-in did not complete")
MAX_LANGUAGE_TAGS = 20  # an Accept-Language header is read this far, no further


def page_language(accept_language: str | None) -> str:
    """The first language of the browser's ``Accept-Language`` that the app speaks, in the
    browser's order of preference (``q`` weights are not ranked: browsers send them falling);
    English otherwise. It chooses words only, never who anyone is."""
    for tag in (accept_language or "")[:1000].split(",")[:MAX_LANGUAGE_TAGS]:
        lang = language_of(tag.split(";")[0])
        if lang is not None:
            return lang
    return DEFAULT_LANGUAGE


def _page(request: Request, title: str, text: str, status: int) -> HTMLResponse:
    """A plain page saying what went wrong (``title`` a marked message, ``text`` a ``Msg`` or
    marked message) and what to do, in the browser's language."""
    lang = page_language(request.headers.get("accept-language"))
    with using(lang):
        title, text = _(title), current().text(text)
        link = "<a href='/assess'>" + html.escape(_("Assess page")) + "</a>"
        advice = _(
            "Open the app again from the patient's chart, or enter the values by hand on the "
            "{assess_page}.",
            assess_page=link,
        )
    body = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>srgvhd: {html.escape(title)}</title></head>"
        "<body style='font-family: sans-serif; max-width: 40em; margin: 3em auto'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        f"<p>{advice}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=_NO_STORE)


def _settings_or_page(request: Request) -> smart.Settings | HTMLResponse:
    settings = smart.settings_from_env()
    if settings is None:
        return _page(request, NOT_SET_UP, NO_REGISTRATION, 404)
    return settings


async def launch(request: Request) -> Response:
    """``/smart/launch?iss=…&launch=…`` (EHR launch) or ``/smart/launch`` (standalone)."""
    settings = _settings_or_page(request)
    if isinstance(settings, HTMLResponse):
        return settings
    flow = secrets.token_urlsafe(24)
    params = request.query_params
    try:
        url = smart.begin(settings, flow, params.get("iss"), params.get("launch"))
    except EhrError as exc:
        status = 502 if "reached" in str(exc) else 400
        return _page(request, NOT_STARTED, exc.message, status)
    response = RedirectResponse(url, status_code=302, headers=_NO_STORE)
    _set_cookie(response, settings, FLOW_COOKIE, flow, smart.PENDING_TTL_S, "/smart")
    return response


async def callback(request: Request) -> Response:
    """``/smart/callback?code=…&state=…``: finish the sign-in, then the Assess page."""
    settings = _settings_or_page(request)
    if isinstance(settings, HTMLResponse):
        return settings
    params = {k: v for k, v in request.query_params.items() if len(v) <= 4096}
    try:
        sid = smart.finish(settings, request.cookies.get(FLOW_COOKIE, ""), params)
    except EhrError as exc:
        return _page(request, NOT_COMPLETED, exc.message, 400)
    response = RedirectResponse(AFTER_SIGN_IN, status_code=303, headers=_NO_STORE)
    response.delete_cookie(FLOW_COOKIE, path="/smart")
    _set_cookie(response, settings, SESSION_COOKIE, sid, smart.SESSION_TTL_S, "/")
    return response


def _set_cookie(
    response: Response, settings: smart.Settings, name: str, value: str, ttl_s: float, path: str
) -> None:
    """The launch's cookies, each with the same protection: HttpOnly (no script reads it),
    SameSite=Lax, Secure behind TLS; a value that only points to server-side state."""
    response.set_cookie(
        name,
        value,
        max_age=int(ttl_s),
        path=path,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookie,
    )


def routes() -> list[Route]:
    """The routes to mount beside the Streamlit app."""
    return [
        Route(LAUNCH_PATH, launch, methods=["GET"]),
        Route(CALLBACK_PATH, callback, methods=["GET"]),
    ]
