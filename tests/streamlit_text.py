"""Reading Streamlit elements in AppTests as a person sees them."""

import html
import re


def as_read(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes and HTML entities resolved."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))
