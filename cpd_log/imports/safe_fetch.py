"""GET a small document from a web address a user gives, never from our own network. Pure.

A badge names the addresses we fetch (a hosted assertion, its issuer, a did:web document), and a
learning record store pull names its endpoint (imports/xapi_lrs.py), so a user could point the
server at itself, its cloud metadata service (169.254.169.254) or the office network (SSRF).
The host name is resolved once, every address it resolves to is checked, and the
connection goes to the checked address (the name is sent as Host and as the TLS server name and
certificate name), so a second lookup cannot answer differently (DNS rebinding). No redirects.

Budget: `timeout` seconds for the connection and for the whole body, `max_bytes` of body.
"""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import certifi


class FetchError(ValueError):
    """The document could not be fetched; the message is for the user."""


class TooLarge(FetchError):
    """The answer was longer than the caller's `max_bytes`."""


def get(url: str, timeout: float, max_bytes: int, allow_private: bool = False) -> bytes:
    """The body of a 200 answer to GET `url`, or FetchError saying why not."""
    status, body = fetch(url, timeout, max_bytes, allow_private)
    if status != 200:
        host = urlsplit(url).hostname
        raise FetchError(f"The server at {host} answered {status} for {url[:80]}.")
    return body


def fetch(
    url: str,
    timeout: float,
    max_bytes: int,
    allow_private: bool = False,
    headers: dict | None = None,
) -> tuple[int, bytes]:
    """The status and body of GET `url` (with `headers`), or FetchError saying why not."""
    import urllib3  # loads with the first fetch, not at start-up

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"“{url[:80]}” is not a web address (https://…).")
    address = checked_address(parts.hostname, allow_private)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    pool = _pool(parts.scheme, parts.hostname, address, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    asked = {"Accept": "application/ld+json, application/json", **(headers or {}), "Host": host}
    deadline = time.monotonic() + timeout
    try:
        response = pool.urlopen(
            "GET", path, headers=asked, redirect=False, retries=False, preload_content=False
        )
        body = _read(response, max_bytes, deadline)
    except (urllib3.exceptions.HTTPError, OSError):
        raise FetchError(f"The server at {parts.hostname} did not answer in time.") from None
    finally:
        pool.close()
    return response.status, body


def checked_address(host: str, allow_private: bool) -> str:
    """One address of `host`, after every address it resolves to was found public."""
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The server {host} could not be found.") from None
    if not addresses:
        raise FetchError(f"The server {host} could not be found.")
    if not allow_private and not all(is_public(address) for address in addresses):
        raise FetchError(f"The server is at a private address ({host}); CPD Log may not reach it.")
    return addresses[0]


def is_public(address: str) -> bool:
    """False for loopback, private, link-local, reserved and IPv4-mapped private addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_global and (mapped is None or mapped.is_global)


def _pool(scheme: str, host: str, address: str, port: int, timeout: float):
    import urllib3

    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "http":
        return urllib3.HTTPConnectionPool(address, port, timeout=timeouts, retries=False)
    return urllib3.HTTPSConnectionPool(
        address,
        port,
        timeout=timeouts,
        retries=False,
        server_hostname=host,
        assert_hostname=host,
        cert_reqs="CERT_REQUIRED",
        ca_certs=certifi.where(),
    )


def _read(response, max_bytes: int, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"The server sent more than {max_bytes:,} bytes.")
        if time.monotonic() > deadline:
            raise OSError("too slow")
        chunks.append(chunk)
    response.release_conn()
    return b"".join(chunks)
