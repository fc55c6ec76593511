"""The Assess page's input widgets: one labelled field per value, one block per assessment.

Every value is typed as text and read by ``srgvhd.app.fields`` (decimal point or comma, dates as
YYYY-MM-DD or "day 7"), so a blank stays "not measured", never 0, and nothing is clamped or
rounded. Assessments, dose changes and labs are added, edited and deleted one at a time
(no editable grid: a grid turned "1,5" into 15, opened the browser's locale date picker, and
let a client send any number of rows: docs/security.md §4).

The form lives in ``st.session_state[FORM]`` (``srgvhd.app.form`` layout); each widget is seeded
from it when the widget has no state (first visit, after a page switch or an opened case) and
the form is updated from each widget's value as it is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from srgvhd.app import form as F
from srgvhd.app import second_line
from srgvhd.app.fields import FieldError, parse_date
from srgvhd.app.form_layout import ROW_WORDS
from srgvhd.clinical.case import Case, case_to_dict
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.clinical.refractory import RULE_SET_LABELS, RULE_SETS
from srgvhd.clinical.units import BILIRUBIN_UNITS, CREATININE_UNITS, HEMOGLOBIN_UNITS
from srgvhd.i18n import N_, _, current

ss = st.session_state
FORM = "assess_form"
SAVED = "assess_saved_form"  # the form as last saved or opened (for the unsaved-entries warning)
# True while an expired sign-in keeps the form on the server (srgvhd.app.signin): no warning
# before the page leaves for the sign-in.
DRAFT_KEPT = "signin_draft_kept"
OPEN_NOTICE = "assess_open_notice"
CONFIRM_DELETE = "assess_confirm_delete"  # (table, row id) whose Delete asks for confirmation
DELETE_QUESTION = N_("**Delete {what} and everything typed in it?**")
APPLY_LABEL = N_("Apply (Enter)")
APPLY_PENDING = N_(
    "Typed but not applied yet: press Enter in one of the assessment's fields, or “Apply "
    "(Enter)” below them. Until then the verdict does not include what was typed."
)
LEGACY_NOTICE = N_(
    "This file is in the older format srgvhd-case/1, where a blank finding meant “not "
    "involved”: its blanks are shown as 0 / “no”. Save case writes srgvhd-case/2, where a blank "
    "means not measured."
)
WIDGET_KEYS = {
    "case_code": "assess_case_code",
    "age_years": "assess_age",
    "weight_kg": "assess_weight",
    "hemoglobin_value": "assess_hb",
    "hemoglobin_unit": "assess_hb_unit",
    "steroid_start": "assess_steroid_start",
    "mp_dose": "assess_mp_dose",
    "steroid_intolerant": "assess_intolerant",
    "bilirubin_unit": "assess_bilirubin_unit",
    "grade_override": "assess_grade_override",
    "rule_set": "assess_rule_set",
}
ADD_KEYS = {
    "assessments": "assess_add_assessment",
    "dose_changes": "assess_add_dose_change",
    "labs": "assess_add_labs",
}
# Rows of a table drawn as fields at once. Every Streamlit text or select field copies the whole
# session state when drawn, so drawing all rows made a rerun cost grow with the square of the
# rows (500 assessments: 45 s of CPU). Longer tables are shown a window at a time, the newest
# by default; the problems of the others are listed under the window's choice, named by row.
ROWS_SHOWN = 10
WINDOW_KEYS = {table: f"assess_{table}_window" for table in ADD_KEYS}
# The language the select boxes were last drawn in (see ``reseed_choices``).
DRAWN_LANGUAGE = "assess_drawn_language"
SCALAR_CHOICES = ("hemoglobin_unit", "bilirubin_unit", "grade_override", "rule_set")
ROW_CHOICES = {
    "assessments": ("mode", *F.CHOICE_FINDINGS, *F.STAGE_FIELDS),
    "dose_changes": (),
    "labs": ("creatinine_unit",),
}
LIMIT_WORDS = {
    "assessments": N_("A case holds at most {count} assessments; delete one to add another."),
    "dose_changes": N_("A case holds at most {count} dose changes; delete one to add another."),
    "labs": N_("A case holds at most {count} lab entries; delete one to add another."),
}
RULE_TEXT = {rule.key: rule.text for rule in PROJECT_RULES}
BLANK = N_("not measured")
DATE_TIP = N_("YYYY-MM-DD, or the day of the steroid course: day 7 (day 0 = steroid start).")
NUMBER_TIP = N_("Blank = not measured; 0 = measured, not involved. Decimal point or comma.")
# Stays in the page while the form holds entries that were not saved: a reload or closing the
# tab then asks first. One listener; each run sets the flag.
UNLOAD_GUARD = """<script>
window.srgvhdUnsaved = %s;
if (!window.srgvhdUnloadGuard) {
  window.srgvhdUnloadGuard = true;
  window.addEventListener("beforeunload", (event) => {
    const typed = document.body.classList.contains("srgvhd-pending");  // typed, not applied
    if (window.srgvhdUnsaved || typed) { event.preventDefault(); event.returnValue = ""; }
  });
}
</script>"""
# The page's layout rules. The verdict bar (a keyed container, ``st-key-assess_verdict_bar``)
# sticks below Streamlit's header while the form scrolls under it, on a laptop and on a phone;
# it and the header are opaque, so no field shows through the bar's tinted alert or above it.
# The keyboard focus ring is blue and thick, never the red of an error box (WCAG 2.4.7 focus
# visible, 1.4.1 not by colour alone: it is also thicker than any border).
LAYOUT_CSS = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-assess_verdict_bar),
.st-key-assess_verdict_bar {
  position: sticky;
  top: 3.75rem;
  z-index: 100;
}
.st-key-assess_verdict_bar, [data-testid="stHeader"] {
  background-color: #ffffff;  /* opaque: no field shows through the bar or above it */
}
.st-key-assess_verdict_bar {
  padding-bottom: 0.25rem;
}
.st-key-assess_verdict_bar [data-testid="stAlertContainer"] {
  padding: 0.4rem 0.75rem;
}
@media (prefers-color-scheme: dark) {
  .st-key-assess_verdict_bar, [data-testid="stHeader"] { background-color: #0e1117; }
}
@media print {
  [data-testid="stLayoutWrapper"]:has(> .st-key-assess_verdict_bar),
  .st-key-assess_verdict_bar { position: static; }
}
.srgvhd-pending-note,
body:not(.srgvhd-pending) .st-key-assess_verdict_bar
  [data-testid="stElementContainer"]:has(.srgvhd-pending-note) {
  display: none;
}
body.srgvhd-pending .srgvhd-pending-note {
  display: block;
  margin-bottom: 0.25rem;
  padding: 0.3rem 0.75rem;
  border: 2px dashed #b45309;
  border-radius: 0.5rem;
  background: #fff7ed;
  color: #7c2d12;
  font-weight: 600;
}
[data-testid="stForm"][data-srgvhd-pending="1"] {
  outline: 2px dashed #b45309;
  outline-offset: 4px;
}
.st-key-assess_course_table :is(th, td):nth-child(n+10) {
  min-width: 14rem;  /* findings and notes: the table scrolls sideways, rows stay short */
}
[data-testid="stMain"] [data-testid="stTextInputRootElement"]:focus-within,
[data-testid="stMain"] [data-baseweb="select"] > div:focus-within {
  border-color: #1a56db !important;
  box-shadow: 0 0 0 2px #1a56db;
}
[data-testid="stMain"] :is(button, a, summary, [role="checkbox"]):focus-visible {
  outline: 3px solid #1a56db !important;
  outline-offset: 2px;
}
</style>"""
# Tab moves from field to field: the help icons beside labels (their text is also reachable by
# pointer and is repeated in the placeholders or captions) and the Delete buttons (rarely
# wanted, and each asks for confirmation) are taken off the Tab path. One observer per page
# load; it re-applies after each rerun's new elements.
TAB_PATH = """<script>
if (!window.srgvhdTabPath) {
  window.srgvhdTabPath = true;
  const skip = '[data-testid="stMain"] [data-testid="stTooltipIcon"] [tabindex],'
    + ' [data-testid="stMain"] [data-testid="stTooltipIcon"] button,'
    + ' [data-testid="stMain"] [class*="st-key-assess_"][class*="_delete"] button';
  let queued = false;
  const apply = () => {
    queued = false;
    document.querySelectorAll(skip).forEach((e) => {
      if (e.getAttribute("tabindex") !== "-1") e.setAttribute("tabindex", "-1");
    });
  };
  const FORM = '[data-testid="stForm"]';
  let lastForm = null;
  const pending = () => {
    const any = document.querySelector(FORM + '[data-srgvhd-pending="1"]') !== null;
    document.body.classList.toggle("srgvhd-pending", any);
  };
  const mark = (form, on) => {
    if (form) { form.dataset.srgvhdPending = on ? "1" : ""; pending(); }
  };
  document.addEventListener("focusin", (e) => {
    const form = e.target.closest && e.target.closest(FORM);
    if (form) lastForm = form;
  }, true);
  document.addEventListener("input", (e) => mark(e.target.closest(FORM), true), true);
  document.addEventListener("click", (e) => {
    const submit = e.target.closest('[data-testid="stFormSubmitButton"]');
    if (submit) mark(submit.closest(FORM), false);
    else if (e.target.closest('[role="option"]')) mark(lastForm, true);
  }, true);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const form = e.target.closest && e.target.closest(FORM);
    if (!form) return;
    if (e.target.getAttribute("role") === "combobox") mark(form, true);  // an option chosen
    else if (e.target.tagName === "INPUT") mark(form, false);  // Enter submits the form
  }, true);
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { apply(); pending(); }); }
  }).observe(document.body, {childList: true, subtree: true});
  apply();
}
</script>"""


# ---------------------------------------------------------------- state


def state() -> dict[str, Any]:
    """The form in session state, created blank on the first visit."""
    if FORM not in ss:
        ss[FORM] = F.empty_form()
    return ss[FORM]


def row_key(table: str, row_id: int, field: str) -> str:
    """The widget key of one field of one row (stable when other rows are deleted)."""
    return f"assess_{table}_{row_id}_{field}"


def _seeded(key: str, value: Any) -> str:
    """``key``, after giving its widget ``value`` when it has no state yet."""
    if key not in ss:
        ss[key] = value
    return key


_KEEP = ("assess_open_case", "assess_open_problems")


def open_case(case: Case) -> None:
    """Put a case on the Assess page (Open case, or another page before ``st.switch_page``):
    every widget is seeded from it again, and it counts as saved. A ``srgvhd-case/1`` case
    shows its blanks as "not involved", with a notice saying so."""
    replace_form(F.case_dict_to_form(case_to_dict(case)))
    if case.legacy:
        ss[OPEN_NOTICE] = _(LEGACY_NOTICE)


def replace_form(form: dict[str, Any]) -> None:
    """Put ``form`` on the Assess page in place of the entry (an opened case, a stored version,
    a new blank course): every widget is seeded from it again, and it counts as saved."""
    for key in [k for k in ss if isinstance(k, str) and k.startswith("assess_") and k not in _KEEP]:
        del ss[key]
    ss[FORM] = form
    mark_saved(form)


def mark_saved(form: dict[str, Any]) -> None:
    """Remember ``form`` as saved (a download of the case file, or a file just opened)."""
    ss[SAVED] = json.dumps(form, sort_keys=True)


def unsaved(form: dict[str, Any]) -> bool:
    """True when the form holds entries that were neither saved nor opened from a file."""
    return not F.is_blank(form) and ss.get(SAVED) != json.dumps(form, sort_keys=True)


def draw_pending_note() -> None:
    """The note shown (by the page script) while an assessment holds typed, unapplied values."""
    st.html(f'<div class="srgvhd-pending-note">{_(APPLY_PENDING)}</div>')


def draw_unload_guard(form: dict[str, Any]) -> None:
    """The page script that asks before a reload or close loses unsaved entries."""
    st.html(
        UNLOAD_GUARD % ("true" if unsaved(form) and not ss.get(DRAFT_KEPT) else "false"),
        width="content",
        unsafe_allow_javascript=True,
    )
    st.html(LAYOUT_CSS)
    st.html(TAB_PATH, width="content", unsafe_allow_javascript=True)


# ---------------------------------------------------------------- scalar fields


def _text(form: dict[str, Any], field: str, label: str, **options: Any) -> None:
    key = _seeded(WIDGET_KEYS[field], form[field])
    form[field] = st.text_input(label, key=key, **options)


def _choice(form: dict[str, Any], field: str, label: str, options: tuple, **more: Any) -> None:
    key = _seeded(WIDGET_KEYS[field], form[field])
    form[field] = st.selectbox(label, options, key=key, **more)


def draw_patient(form: dict[str, Any], slots: dict[str, Any]) -> None:
    """Case code, age, weight, hemoglobin with its unit."""
    st.subheader(_("Patient"), anchor=False)
    _text(
        form,
        "case_code",
        _("Case code"),
        max_chars=32,
        placeholder=_("e.g. W3-017"),
        help=_(
            "A pseudonymous code for this course: letters, digits, - and _. Never a name or "
            "hospital number. Needed to save to the ward store; optional otherwise."
        ),
    )
    slots["case_code"] = st.empty()
    age, weight = st.columns(2)
    with age:
        _text(form, "age_years", _("Age (years)"), placeholder=_("years"), help=_(NUMBER_TIP))
        slots["age_years"] = st.empty()
    with weight:
        _text(
            form,
            "weight_kg",
            _("Weight (kg)"),
            placeholder="kg",
            help=_("{rule} Blank = not measured.", rule=RULE_TEXT["child_thresholds"]),
        )
        slots["weight_kg"] = st.empty()
    with _row():
        _text(
            form,
            "hemoglobin_value",
            _("Hemoglobin"),
            placeholder=_(BLANK),
            help=_(
                "At the start of second-line therapy, in the unit beside it (90 g/L = "
                "9.0 g/dL is the model's threshold). Blank: no survival estimate, the verdict "
                "is still given."
            ),
        )
        # not locked like bilirubin: the g/L and g/dL ranges (20–250, 2–25) barely overlap, so a
        # switched unit under a typed value is refused, not silently read another way
        _choice(form, "hemoglobin_unit", _("Hemoglobin unit"), HEMOGLOBIN_UNITS)
    slots["hemoglobin_value"] = st.empty()


def draw_steroids(form: dict[str, Any], slots: dict[str, Any]) -> None:
    """Steroid start, dose, intolerance flag and dated dose changes."""
    st.subheader(_("Steroids"), anchor=False)
    start, dose = st.columns(2)
    with start:
        _text(
            form,
            "steroid_start",
            _("Steroid start date (day 0)"),
            placeholder="YYYY-MM-DD",
            help=_("YYYY-MM-DD, e.g. 2026-11-01."),
        )
        slots["steroid_start"] = st.empty()
    with dose:
        _text(
            form,
            "mp_dose",
            _("Methylprednisolone (mg/kg/day)"),
            placeholder="mg/kg/day",
            help=_("The study rules assume 2 mg/kg/day; a lower dose gives a warning."),
        )
        slots["mp_dose"] = st.empty()
    key = _seeded(WIDGET_KEYS["steroid_intolerant"], form["steroid_intolerant"])
    form["steroid_intolerant"] = st.checkbox(
        _("Steroid intolerant (clinician's judgement, EBMT 2018)"), key=key
    )
    for number, row in _window(form, "dose_changes", slots):
        with st.container(border=True, key=f"assess_dose_change_{row['id']}"):
            with _row():
                _row_text(
                    row,
                    "dose_changes",
                    "date",
                    _("Dose change {number}: date", number=str(number)),
                    placeholder=_("YYYY-MM-DD or day 7"),
                    help=_(DATE_TIP),
                )
                _row_text(
                    row,
                    "dose_changes",
                    "dose",
                    _("New dose (mg/kg/day)"),
                    placeholder="mg/kg/day",
                    help=_("From this date on; 0 = stopped."),
                )
                _delete_button(
                    "dose_changes", row["id"], _("dose change {number}", number=str(number))
                )
            slots[f"dose_changes:{row['id']}"] = st.empty()
    _add_button(form, "dose_changes", _("Add dose change"))


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class _RowSlot:
    """Where the problems of a row outside the shown window go: one area under the window's
    choice, each message named by its row ("Assessment 37: …"). Its read-back words are left
    out (they are for the rows being typed)."""

    area: Any
    name: str

    def error(self, text: str) -> None:
        self.area.error(_("{name}: {problem}", name=self.name, problem=text))

    def caption(self, text: str) -> None:
        return None


def _last_window(count: int) -> int:
    return max(0, (count - 1) // ROWS_SHOWN)


def _window(form: dict[str, Any], table: str, slots: dict[str, Any]) -> list[tuple[int, Any]]:
    """The (number, row) pairs of ``table`` to draw as fields: all of them up to ``ROWS_SHOWN``,
    else the window chosen above them (the newest by default). The others get a ``_RowSlot``."""
    rows = list(enumerate(form[table], start=1))
    if len(rows) <= ROWS_SHOWN:
        ss.pop(WINDOW_KEYS[table], None)
        return rows
    last = _last_window(len(rows))
    if not isinstance(ss.get(WINDOW_KEYS[table]), int) or not 0 <= ss[WINDOW_KEYS[table]] <= last:
        ss[WINDOW_KEYS[table]] = last
    word = _(ROW_WORDS[table])

    def words(window: int) -> str:
        first, end = window * ROWS_SHOWN + 1, min(len(rows), (window + 1) * ROWS_SHOWN)
        said = dict(row=word, first=str(first), end=str(end), count=str(len(rows)))
        if window == last:
            return _("{row} {first}–{end} of {count} (newest)", **said)
        return _("{row} {first}–{end} of {count}", **said)

    # said now, in this run's language (a format function may be called outside the run)
    shown_words = [words(window) for window in range(last + 1)]
    window = st.selectbox(
        _("{row} rows shown", row=word),
        range(last + 1),
        format_func=shown_words.__getitem__,
        key=WINDOW_KEYS[table],
    )
    shown = rows[window * ROWS_SHOWN : (window + 1) * ROWS_SHOWN]
    area = st.container()
    for number, row in rows:
        if not shown[0][0] <= number <= shown[-1][0]:
            slots[f"{table}:{row['id']}"] = _RowSlot(
                area, _("{row} {number}", row=word, number=str(number))
            )
    return shown


def _add_row(table: str) -> None:
    """Button callback: a new blank row, shown: the window of a long table moves to the newest
    rows. Its date is left blank (a baseline's field says "day 0" as a placeholder: text put in
    the field would be typed after, "day 02026-11-02")."""
    form = state()
    row = F.add_row(form, table)
    if row and len(form[table]) > ROWS_SHOWN:
        ss[WINDOW_KEYS[table]] = _last_window(len(form[table]))


def _ask_delete(table: str, row_id: int) -> None:
    """Button callback: ask before deleting the row (its Delete button becomes a question)."""
    ss[CONFIRM_DELETE] = (table, row_id)


def _keep_row() -> None:
    """Button callback: the row is kept; the question goes away."""
    ss.pop(CONFIRM_DELETE, None)


def _delete_row(table: str, row_id: int) -> None:
    """Button callback: remove the row and its widgets' state."""
    ss.pop(CONFIRM_DELETE, None)
    F.delete_row(state(), table, row_id)
    for field in F.ROW_FIELDS[table]:
        ss.pop(row_key(table, row_id, field), None)


def _add_button(form: dict[str, Any], table: str, label: str, **options: Any) -> None:
    """The button that adds a row to ``table``; disabled once the table is full."""
    full = len(form[table]) >= F.MAX_ROWS[table]
    st.button(
        label,
        key=ADD_KEYS[table],
        on_click=_add_row,
        args=(table,),
        icon=":material/add:",
        disabled=full,
        help=_("At most {count}.", count=str(F.MAX_ROWS[table])) if full else None,
        **options,
    )
    if full:
        st.caption(_(LIMIT_WORDS[table], count=str(F.MAX_ROWS[table])))


def _delete_button(table: str, row_id: int, what: str) -> None:
    """Delete, in two steps: the button asks "Delete <what>?" with "Yes, delete" and "Keep"
    (a misplaced click or key press loses nothing)."""
    if ss.get(CONFIRM_DELETE) != (table, row_id):
        st.button(
            _("Delete"),
            key=row_key(table, row_id, "delete"),
            on_click=_ask_delete,
            args=(table, row_id),
            icon=":material/delete:",
        )
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(_(DELETE_QUESTION, what=what))
        st.button(
            _("Yes, delete"),
            key=row_key(table, row_id, "delete_yes"),
            on_click=_delete_row,
            args=(table, row_id),
            icon=":material/delete:",
            type="primary",
        )
        st.button(_("Keep"), key=row_key(table, row_id, "delete_keep"), on_click=_keep_row)


def _said(options: tuple, words: Callable[[Any], str]) -> Callable[[Any], str]:
    """A select box's format function whose words are said now, in this run's language
    (Streamlit may call a format function again outside the script run)."""
    said = {option: words(option) for option in options}
    return lambda option: said.get(option, str(option))


def _row() -> Any:
    """A row of fields of equal width that wraps on a narrow screen: one flex block, where
    ``st.columns`` sends a block per column as well (fewer messages per rerun; README,
    "Benchmarks")."""
    return st.container(horizontal=True, vertical_alignment="bottom", gap="small")


def _row_text(row: dict[str, Any], table: str, field: str, label: str, **options: Any) -> None:
    key = _seeded(row_key(table, row["id"], field), row[field])
    row[field] = st.text_input(label, key=key, **options)


def _typed(row: dict[str, Any], table: str, field: str) -> bool:
    """Whether the row's field holds text, as typed in this rerun (its widget's state is newer
    than the form, which is updated when the row is drawn, below the unit choice)."""
    text = st.session_state.get(row_key(table, row["id"], field), row.get(field))
    return bool((text or "").strip())


def _unit_lock(entered: bool, what: str) -> dict[str, Any]:
    """The page-wide bilirubin unit is fixed while values are entered in it: switching it, far
    from the values, would silently give them another meaning (3.5 mg/dL read as 3.5 µmol/L).
    A unit beside its own value (creatinine, hemoglobin) is chosen as part of typing it."""
    if not entered:
        return {}
    return {
        "disabled": True,
        "help": _(
            "The unit of the {what} entered. To change it, clear the {what} first "
            "(1 mg/dL = 17.1 µmol/L).",
            what=what,
        ),
    }


def _row_choice(
    row: dict[str, Any], table: str, field: str, label: str, options: tuple, **more: Any
) -> None:
    key = _seeded(row_key(table, row["id"], field), row[field])
    row[field] = st.selectbox(label, options, key=key, **more)


def _start(text: str) -> Any:
    """The steroid start date typed, or None (blank or not a date)."""
    try:
        return parse_date(text, "start")
    except FieldError:
        return None


def _course_day(form: dict[str, Any], text: str) -> int | None:
    """The day of the course of a typed date (day 0 = steroid start), or None."""
    start = _start(form["steroid_start"])
    try:
        when = parse_date(text, "date", start)
    except FieldError:
        return None
    return None if when is None or start is None else (when - start).days


def _day_words(form: dict[str, Any], text: str) -> str:
    """ "day 4 · 2026-11-05" for a readable date, else ""."""
    start = _start(form["steroid_start"])
    try:
        when = parse_date(text, "date", start)
    except FieldError:
        return ""
    if when is None:
        return ""
    if start is None:
        return when.isoformat()
    return _("day {day} · {date}", day=str((when - start).days), date=when.isoformat())


def draw_assessments(form: dict[str, Any], slots: dict[str, Any]) -> None:
    """Rule set, units, grade override, then one block per assessment and "Add assessment"."""
    st.subheader(_("Assessments"), anchor=False)
    st.caption(
        _(
            "The first assessment is the baseline, on the steroid start date (day 0). "
            "A blank field means not measured; type 0 (or choose “no”) for measured, "
            "not involved. Decimal point or comma: 1.5 or 1,5. An assessment's findings are "
            "applied together: Enter in one of its fields, or “Apply (Enter)”."
        )
    )
    with _row():
        entered = any(_typed(r, "assessments", "bilirubin") for r in form["assessments"])
        _choice(
            form,
            "bilirubin_unit",
            _("Bilirubin unit"),
            BILIRUBIN_UNITS,
            format_func=_said(BILIRUBIN_UNITS, F.unit_words),
            **_unit_lock(entered, _("bilirubin values")),
        )
        _choice(
            form,
            "grade_override",
            _("Grade for the risk model"),
            F.GRADE_OVERRIDES,
            format_func=_said(
                F.GRADE_OVERRIDES, lambda g: _("course maximum") if g == "none" else g
            ),
            help=current().text(RULE_TEXT["risk_grade"]),
        )
        _choice(
            form,
            "rule_set",
            _("Rule set"),
            RULE_SETS,
            format_func=_said(RULE_SETS, lambda r: _(RULE_SET_LABELS[r])),
        )
    slots["grade_override"] = st.empty()
    for number, row in _window(form, "assessments", slots):
        _draw_assessment(form, row, number, slots)
    slots["assessments"] = st.empty()
    _add_button(form, "assessments", _("Add assessment"), type="primary")


def _draw_assessment(
    form: dict[str, Any], row: dict[str, Any], number: int, slots: dict[str, Any]
) -> None:
    table = "assessments"
    with st.container(border=True, key=f"assess_assessment_{row['id']}"):
        typed = ss.get(row_key(table, row["id"], "date"), row["date"])
        when = _day_words(form, typed)
        said = dict(number=str(number), when=when)
        if not when:
            title = _("**Assessment {number}**", **said)
        elif _course_day(form, typed) == 0:
            title = _("**Assessment {number}** — {when} (baseline)", **said)
        else:
            title = _("**Assessment {number}** — {when}", **said)
        st.markdown(title)
        modes = {"findings": N_("findings"), "stages": N_("organ stages")}
        _row_choice(
            row,
            table,
            "mode",
            _("Entered as"),
            F.MODES,
            format_func=_said(F.MODES, lambda mode: _(modes[mode])),
            width=260,
        )
        # The date and the findings (or stages) are one form: Tab between them sends nothing to
        # the server; Enter in a field, or "Apply", sends them together (one rerun instead of
        # one per field). Until then the page says so (APPLY_PENDING); the verdict is the last.
        with st.form(key=f"assess_findings_{row['id']}", border=False, enter_to_submit=True):
            _row_text(
                row,
                table,
                "date",
                _("Date"),
                placeholder=_("day 0 (steroid start) or YYYY-MM-DD")
                if number == 1
                else _("YYYY-MM-DD or day 7"),
                width=260,
            )
            if row["mode"] == "stages":
                with _row():
                    for field, organ in F.STAGE_FIELDS.items():
                        _row_choice(
                            row,
                            table,
                            field,
                            _(F.STAGE_LABELS[organ]),
                            F.STAGE_CHOICES[organ],
                            format_func=_said(F.STAGE_CHOICES[organ], _),
                            help=_("MAGIC stage (Harris et al. 2016)"),
                        )
            else:
                _draw_findings(form, row)
            st.form_submit_button(
                _(APPLY_LABEL),
                key=row_key(table, row["id"], "apply"),
                icon=":material/check:",
            )
        _delete_button(
            table, row["id"], _("assessment {number}", number=str(number))
        )  # last, and off the Tab path
        slots[f"{table}:{row['id']}"] = st.empty()


def _draw_findings(form: dict[str, Any], row: dict[str, Any]) -> None:
    """The raw findings, organ by organ as MAGIC lists them, each with its unit."""
    bilirubin = F.unit_words(form["bilirubin_unit"])
    numbers = {
        "rash_bsa": _("Skin rash (% BSA)"),
        "bullae_bsa": _("Bullae/desquamation (% BSA)"),
        "bilirubin": _("Total bilirubin ({unit})", unit=bilirubin),
        "stool_ml": _("Stool volume (mL/day)"),
        "stool_episodes": _("Stool episodes per day"),
    }
    choices = {field: _(label) for field, (label, _name) in F.CHOICE_FINDINGS.items()}
    layout = (
        ("rash_bsa", "bullae_bsa", "bilirubin", "upper_gi"),
        ("stool_ml", "stool_episodes", "pain_ileus", "bloody_stool"),
    )
    for fields in layout:
        with _row():
            for field in fields:
                if field in numbers:
                    _row_text(row, "assessments", field, numbers[field], placeholder=_(BLANK))
                else:
                    _row_choice(
                        row,
                        "assessments",
                        field,
                        choices[field],
                        F.YES_NO,
                        format_func=_said(F.YES_NO, _),
                    )


def draw_labs(form: dict[str, Any], slots: dict[str, Any]) -> None:
    """Optional dated labs (interfaces.md §6): LDH, creatinine, platelets, MAP probability."""
    table = "labs"
    with st.expander(
        _("Labs (optional) — {count} entered", count=str(len(form[table]))),
        expanded=bool(form[table]),
    ):
        for number, row in _window(form, table, slots):
            with st.container(border=True, key=f"assess_lab_{row['id']}"):
                with _row():
                    _row_text(
                        row,
                        table,
                        "date",
                        _("Labs {number}: date", number=str(number)),
                        placeholder=_("YYYY-MM-DD or day 7"),
                        help=_(DATE_TIP),
                    )
                    _row_text(row, table, "ldh", _("LDH (U/L)"), placeholder=_(BLANK))
                with _row():
                    _row_text(row, table, "creatinine", _("Creatinine"), placeholder=_(BLANK))
                    _row_choice(
                        row,
                        table,
                        "creatinine_unit",
                        _("Unit"),
                        CREATININE_UNITS,
                        format_func=_said(CREATININE_UNITS, F.unit_words),
                    )
                    _row_text(row, table, "platelets", _("Platelets (10⁹/L)"), placeholder=_(BLANK))
                    _row_text(
                        row,
                        table,
                        "map",
                        _("MAP probability (0–1)"),
                        placeholder=_(BLANK),
                        help=_("The MAGIC algorithm probability as reported by the lab."),
                    )
                _delete_button(table, row["id"], _("labs {number}", number=str(number)))
                slots[f"{table}:{row['id']}"] = st.empty()
        _add_button(form, table, _("Add labs"))


def reseed_choices(form: dict[str, Any]) -> None:
    """After a change of language, give every select box its value again from ``form``.

    A browser keeps the words of a select box's choice: after a switch from German to Chinese
    it would still show (and send back) "ja", a word the new run's choices do not hold, and
    Streamlit would put the box back to its first choice, "not measured". Setting the value
    from the form (the values as last read) makes the browser show the choice in the new
    language, and a "yes" stays a "yes"."""
    lang = current().lang
    if ss.get(DRAWN_LANGUAGE, lang) != lang:
        for field in SCALAR_CHOICES:
            if WIDGET_KEYS[field] in ss:
                ss[WIDGET_KEYS[field]] = form[field]
        for table, fields in ROW_CHOICES.items():
            for row in form[table]:
                for field in fields:
                    if row_key(table, row["id"], field) in ss:
                        ss[row_key(table, row["id"], field)] = row[field]
        for key in WINDOW_KEYS.values():
            if isinstance(ss.get(key), int):
                ss[key] = ss[key]
        second_line.reseed_therapy(form)
    ss[DRAWN_LANGUAGE] = lang


def draw_form(form: dict[str, Any]) -> dict[str, Any]:
    """Draw every input, updating ``form``; returns, by slot (``srgvhd.app.form.Reading``),
    the empty place under each field where its problems are written."""
    reseed_choices(form)
    slots: dict[str, Any] = {}
    left, right = st.columns(2)
    with left:
        draw_patient(form, slots)
    with right:
        draw_steroids(form, slots)
    draw_assessments(form, slots)
    draw_labs(form, slots)
    return slots
