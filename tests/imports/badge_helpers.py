"""Open Badge test helpers: an issuer on 127.0.0.1, baked images, the upload form."""

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity


class BadgeServer:
    """An issuer on 127.0.0.1 (never another address): path -> JSON, with optional delay."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes]] = {}
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []  # (path, Host header) of every GET
        routes, server = self.routes, self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append((self.path, self.headers.get("Host", "")))
                time.sleep(server.delay)
                status, body = routes.get(self.path, (404, b"{}"))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/ld+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app gave up waiting, as the timeout test wants

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, value, status: int = 200) -> str:
        self.routes[path] = (status, json.dumps(value).encode())
        return self.base + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def assertion_for(issuer: BadgeServer, alignment=None) -> dict:
    issuer_url = issuer.serve(
        "/issuer.json",
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Profile",
            "id": issuer.base + "/issuer.json",
            "name": "PMO Academy",
            "url": "https://pmo-academy.example.org",
        },
    )
    badge_url = issuer.serve(
        "/badges/risk.json",
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "BadgeClass",
            "id": issuer.base + "/badges/risk.json",
            "name": "Risk Management Practitioner",
            "description": "Assessed risk workshop, 12 hours.",
            "criteria": {"id": "https://pmo-academy.example.org/criteria/risk"},
            "issuer": issuer_url,
            "alignment": alignment or [],
        },
    )
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": issuer.base + "/assertions/123.json",
        "recipient": {"type": "email", "hashed": False, "identity": "ada@example.com"},
        "badge": badge_url,
        "issuedOn": "2026-02-14T10:00:00Z",
        "verification": {"type": "hosted"},
    }
    issuer.serve("/assertions/123.json", assertion)
    return assertion


def baked_png(text: str, keyword: str = "openbadges") -> bytes:
    info = PngInfo()
    info.add_itxt(keyword, text)
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (20, 80, 160, 255)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def upload(client, data: bytes, name="badge.json", **fields):
    form = {"badge": (io.BytesIO(data), name), "kind": "course", "hours": "12", **fields}
    return client.post("/imports/badge", data=form, content_type="multipart/form-data")


def count(model=Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
