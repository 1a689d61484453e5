"""Naming a signed-in browser for people: "Chrome on Linux", "Mobile Safari on iOS".

ua-parser (with its maintained rule set, ua-parser-builtins) reads the User-Agent a browser sent
at login. The name is approximate by nature: a browser can send anything.
"""

from functools import lru_cache

UNKNOWN = "Unknown browser"


@lru_cache(maxsize=1024)
def device_name(user_agent: str | None) -> str:
    """The browser and system a User-Agent names; UNKNOWN when it names neither."""
    if not user_agent:
        return UNKNOWN
    from ua_parser import parse  # its rule set loads with the first login, not at start-up

    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    browser = None if browser in (None, "Other") else browser
    system = None if system in (None, "Other") else system
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else UNKNOWN)
