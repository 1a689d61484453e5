"""xAPI pull from an LRS (issue 16): a real HTTP server on 127.0.0.1 serves two pages of the spec's
statements, linked by `more`; the pull sends Basic auth and the xAPI version, and private
addresses are refused unless XAPI_ALLOW_PRIVATE_LRS is on."""

import base64
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.imports import xapi_lrs
from cpd_log.imports.xapi import StatementsError
from cpd_log.models import Activity, ImportBatch
from cpd_log.models.activity import ActivitySource
from tests import factories
from tests.imports.helpers import fixture

KEY, SECRET = "lrs-key", "s3cret-Value-42"


class LrsServer:
    """An LRS on 127.0.0.1: GET /xapi/statements, the spec's statements in two pages."""

    def __init__(self, statements: list, more: str = "/xapi/statements?page=2"):
        self.requests: list[dict] = []
        pages = {
            "1": {"statements": statements[:4], "more": more},
            "2": {"statements": statements[4:], "more": ""},
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                server.requests.append({"path": parts.path, "query": query, **self.headers})
                expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    status, body = 401, {}
                elif parts.path != "/xapi/statements":
                    status, body = 404, {}
                else:
                    status, body = 200, pages[query.get("page", ["1"])[0]]
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_port}/xapi"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def lrs():
    server = LrsServer(json.loads(fixture("xapi_statements.json")))
    yield server
    server.close()


def pull(endpoint, key=KEY, allow_private=True):
    since = date(2013, 1, 1)
    return xapi_lrs.pull_statements(
        endpoint, key, SECRET, since, timeout=2, allow_private=allow_private
    )


def test_both_pages_are_read_with_auth_and_version(lrs):
    statements = pull(lrs.endpoint)
    assert [s["id"] for s in statements] == [
        s["id"] for s in json.loads(fixture("xapi_statements.json"))
    ]
    first, second = lrs.requests
    assert first["query"]["since"] == ["2013-01-01T00:00:00Z"]
    assert second["query"]["page"] == ["2"]
    assert first["X-Experience-API-Version"] == "1.0.3"


def test_the_preview_names_the_endpoint_without_credentials():
    shown = xapi_lrs.shown_name("https://key:secret@lrs.example.org/xapi/")
    assert shown == "lrs.example.org/xapi/"
    assert xapi_lrs.shown_name("http://127.0.0.1:8080/x") == "127.0.0.1:8080/x"


def test_wrong_credentials_are_said(lrs):
    with pytest.raises(StatementsError, match="refused the key and secret"):
        pull(lrs.endpoint, key="wrong")


def test_a_private_address_is_refused_without_the_flag(lrs):
    with pytest.raises(StatementsError, match="private address"):
        pull(lrs.endpoint, allow_private=False)
    assert lrs.requests == []  # never asked


def test_a_more_link_to_another_server_is_not_followed():
    server = LrsServer(json.loads(fixture("xapi_statements.json")), more="http://192.0.2.1/s")
    try:
        with pytest.raises(StatementsError, match="another server"):
            pull(server.endpoint)
        assert len(server.requests) == 1
    finally:
        server.close()


def test_too_many_pages_are_refused(lrs, monkeypatch):
    monkeypatch.setattr(xapi_lrs, "MAX_PAGES", 1)
    with pytest.raises(StatementsError, match="more than 1 pages"):
        pull(lrs.endpoint)


def lrs_form(endpoint: str) -> dict:
    return {
        "lrs-endpoint": endpoint,
        "lrs-key": KEY,
        "lrs-secret": SECRET,
        "lrs-since": "2013-01-01",
        "lrs-hours": "1",
    }


def client_for(app, login_as):
    user = factories.make_user()
    client = login_as(app.test_client(), user)
    client.user = user
    return client


def test_pull_previews_and_imports(app_factory, login_as, lrs):
    app = app_factory(XAPI_ALLOW_PRIVATE_LRS=True)
    with app.app_context():
        client = client_for(app, login_as)
        response = client.post("/imports/xapi/lrs", data=lrs_form(lrs.endpoint))
        assert response.status_code == 302
        location = response.headers["Location"]
        page = client.get(location).data.decode()
        assert "3 statement(s) to log" in page and "4 statement(s) left out" in page
        batch = db.session.scalar(select(ImportBatch))
        assert SECRET not in json.dumps(batch.payload) and SECRET not in batch.filename
        client.post(location, data={"events": ["0", "1", "2"], "kind": "course"})
        sources = db.session.scalars(select(Activity.source)).all()
        assert sources == [ActivitySource.XAPI] * 3


def test_the_pull_page_refuses_a_private_lrs_at_the_field(app_factory, login_as, lrs):
    app = app_factory()  # XAPI_ALLOW_PRIVATE_LRS off, as in production
    with app.app_context():
        client = client_for(app, login_as)
        response = client.post("/imports/xapi/lrs", data=lrs_form(lrs.endpoint))
        page = response.data.decode()
        assert response.status_code == 200
        assert 'id="lrs-endpoint-errors"' in page and "private address (127.0.0.1)" in page
        assert SECRET not in page  # the secret is not sent back
        assert lrs.requests == []


def test_the_pull_form_says_what_is_missing(logged_in):
    response = logged_in.post("/imports/xapi/lrs", data={"lrs-endpoint": "ftp://x"})
    page = response.data.decode()
    assert "Enter a web address starting with https:// or http://." in page
    assert "Enter the LRS secret." in page and "Enter a day" in page
