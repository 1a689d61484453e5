"""safe_fetch: no request to a private, loopback or link-local address; the checked address is used.

A refusal must come before any connection: the loopback cases run a real server on 127.0.0.1 and
check it saw no request; the others would wait for the 5-second timeout if a connection were
tried, so they must finish well within it.
"""

import time

import pytest

from cpd_log.imports import did_keys, safe_fetch

PRIVATE = [
    "http://10.1.2.3/badge.json",
    "http://169.254.169.254/latest/meta-data/",
    "https://192.168.0.10/.well-known/did.json",
    "http://[::ffff:10.0.0.1]/badge.json",
    "http://[fe80::1]/badge.json",
]


@pytest.mark.serial  # asserts a wall-time bound
@pytest.mark.parametrize("url", PRIVATE, ids=["10.x", "169.254.x", "192.168.x", "mapped", "fe80"])
def test_private_and_link_local_addresses_are_refused_without_connecting(url):
    started = time.monotonic()
    with pytest.raises(safe_fetch.FetchError, match="private address"):
        safe_fetch.get(url, timeout=5, max_bytes=1000)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"], ids=["v4", "v6", "name"])
def test_loopback_is_refused_and_never_reached(issuer, host):
    issuer.serve("/did.json", {"id": "did:web:x"})
    url = f"http://{host}:{issuer.httpd.server_port}/did.json"
    with pytest.raises(safe_fetch.FetchError, match="private address"):
        safe_fetch.get(url, timeout=5, max_bytes=1000)
    assert issuer.requests == []


def test_did_web_naming_a_loopback_host_is_refused(issuer):
    fetch = lambda url: safe_fetch.get(url, timeout=5, max_bytes=1000)  # noqa: E731
    with pytest.raises(did_keys.KeyProblem, match="private address"):
        did_keys.did_web_key("did:web:localhost%3A1#key-1", fetch)


def test_the_checked_address_is_connected_with_the_name_as_host(issuer):
    """Allowed (as in tests), a name is resolved once and its address used; Host keeps the name."""
    issuer.serve("/a.json?x=1", {"ok": True})
    body = safe_fetch.get(
        f"http://localhost:{issuer.httpd.server_port}/a.json?x=1",
        timeout=5,
        max_bytes=1000,
        allow_private=True,
    )
    assert body == b'{"ok": true}'
    assert issuer.requests == [("/a.json?x=1", f"localhost:{issuer.httpd.server_port}")]


def test_redirects_are_not_followed_and_answers_are_capped(issuer):
    issuer.serve("/moved", {}, status=302)
    issuer.serve("/big", {"x": "a" * 5000})
    base = issuer.base
    with pytest.raises(safe_fetch.FetchError, match="answered 302"):
        safe_fetch.get(base + "/moved", timeout=5, max_bytes=1000, allow_private=True)
    with pytest.raises(safe_fetch.FetchError, match="sent more than 1,000 bytes"):
        safe_fetch.get(base + "/big", timeout=5, max_bytes=1000, allow_private=True)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "http:///nohost"], ids=str
)
def test_only_web_addresses(url):
    with pytest.raises(safe_fetch.FetchError, match="not a web address"):
        safe_fetch.get(url, timeout=5, max_bytes=1000)


def test_is_public():
    assert safe_fetch.is_public("93.184.215.14")
    assert not any(
        safe_fetch.is_public(a) for a in ("127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "fc00::1")
    )
