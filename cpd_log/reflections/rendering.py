"""Markdown in reflection text → safe HTML: markdown-it-py renders, nh3 (ammonia) sanitises.

Raw HTML in the text is passed through by the renderer on purpose, so the sanitiser is the one
gate: it keeps a short list of formatting tags, drops scripts, event handlers and `javascript:`
links, and marks every link nofollow noopener.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "strong", "em", "del", "code", "pre", "kbd", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt  # loads on first use, not at start-up

    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """The text as sanitised HTML, safe to put in a page as it is."""
    return Markup(sanitise(_renderer().render(text or "")))  # noqa: S704 - sanitised just above
