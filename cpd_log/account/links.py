"""Which web addresses an imported file may bring in.

Only http and https: a `javascript:` or `data:` address rendered as a link runs in the reader's
browser (or a reviewer's), so the account import drops such an address and says where it was.
"""

from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https"})


def safe_url(url: str) -> bool:
    """True for an absolute http(s) address; control characters and spaces are refused too,
    since browsers strip them before reading the scheme ("java\\tscript:")."""
    if not url or any(ord(c) < 33 or c == "\x7f" for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.netloc)
