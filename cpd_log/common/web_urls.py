"""Which user-supplied addresses may become links: the one rule, for imports and templates. Pure.

A URL arrives from forms, spreadsheets, calendars, badges and old account backups. Rendered as
`href`, a `javascript:`, `data:` or `vbscript:` address runs in the page of whoever clicks it (the
owner, or a reviewer through a share link; CSP forbids inline script in our pages, but not in
every browser, and a `data:` document is a page of its own). So an address is a web address
only when its first characters are `http://` or `https://`: checked on the raw text, since browsers
drop leading spaces and control characters and read "java\\tscript:" as "javascript:".
"""

WEB_SCHEMES = ("http://", "https://")


def is_web_url(value: str | None) -> bool:
    """True for a complete http(s) address with no whitespace or control characters."""
    text = value or ""
    return (
        text[:8].lower().startswith(WEB_SCHEMES)
        and len(text) > len("https://")
        and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)
    )


def web_url_or_blank(value: str | None) -> str:
    """The address when it is a web address, else "" (what an import keeps)."""
    return value if is_web_url(value) else ""
