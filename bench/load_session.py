"""Logged-in users for the load bench, and the file bench/load.lua reads them from.

Each user logs in through the login form (CSRF token and all) over HTTP, then the forms the mixed
workload submits are read from the pages a browser would show (the new-activity form, the
new-reflection form, the portfolio page's download links or "prepare" form), so the bodies wrk
posts carry every field and the session's CSRF token exactly as a browser would send them. One
save of each kind is made here first: a form the bench cannot fill stops the run with a message
instead of showing up as thousands of errors.
"""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import requests

from bench.generate import PASSWORD, BenchUser
from cpd_log.demo import TOPICS

USER_AGENT = "cpd-log-loadbench"
LOGINS_AT_ONCE = 4  # each login is one scrypt hash in a worker
SEARCH_TERMS = sorted({topic.split()[0].lower() for topic in TOPICS})


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {name for name, _ in self.fields}

    def body(self, submit: str | None = None, **values: str) -> str:
        """The urlencoded body a browser sends with `values` typed in and `submit` pressed."""
        pairs = [(n, v) for n, v in self.fields if n not in values]
        pairs += list(values.items())
        pairs += [(n, v) for n, v in self.submits if n == submit]
        return urlencode(pairs)


class FormReader(HTMLParser):
    """Every <form> of a page with the values a browser would submit untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind in ("submit", "image"):
                self._form.submits.append((name, a.get("value", "")))
            elif kind != "file":
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            self._form.submits.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            self._select[2].append(a.get("value", ""))
            if "selected" in a:
                self._select[3].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple, options, selected = self._select
            values = selected if multiple else (selected[-1:] or options[:1])
            self._form.fields += [(name, value) for value in values]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def read_page(session: requests.Session, url: str) -> FormReader:
    response = session.get(url, timeout=60)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    reader = FormReader()
    reader.feed(response.text)
    return reader


def form_with(page: FormReader, field_name: str, url: str) -> Form:
    for form in page.forms:
        if form.method == "post" and field_name in form.names():
            return form
    raise SystemExit(f"{url} has no form with a field {field_name!r}")


def log_in(base: str, user: BenchUser) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    form = form_with(read_page(session, base + "/account/login"), "email", "/account/login")
    response = session.post(
        base + "/account/login",
        data=form.body(email=user.email, password=PASSWORD),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302 or "/account/login" in response.headers.get("Location", ""):
        raise SystemExit(f"logging in as {user.email} answered {response.status_code}")
    return session


def documents(session: requests.Session, base: str, portfolio_id: int) -> dict:
    """How the portfolio page offers its PDF and ZIP: direct links, or a form that starts a
    background job (then load.lua polls its status and fetches the file, as the page does)."""
    path = f"/portfolios/{portfolio_id}"
    page = read_page(session, base + path)
    for form in page.forms:
        if form.method == "post" and form.action.endswith("/prepare"):
            return {"mode": "job", "start": form.action, "body": form.body()}
    links = {kind: f"{path}/portfolio.{kind}" for kind in ("pdf", "zip")}
    if not set(links.values()) <= set(page.links):
        raise SystemExit(f"{path} offers neither download links nor a prepare form")
    return {"mode": "direct", **links}


def prepare(base: str, user: BenchUser) -> dict:
    """Log `user` in and read the forms; the entry load.lua keeps for this user."""
    session = log_in(base, user)
    today = date.today().isoformat()
    activity = form_with(read_page(session, base + "/activities/new"), "title", "new activity")
    reflection = form_with(
        read_page(session, base + "/reflections/new"), "reflected_on", "new reflection"
    )
    typed = {"title": "Load bench activity __N__", "hours": "1.5", "start_date": today}
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return {
        "cookie": cookie,
        "cycle": f"/schemes/cycles/{user.cycle_id}",
        "log": activity.body("submit", **typed),
        "edit": activity.body("submit", **typed, version="__V__"),
        "reflect": reflection.body(
            "save",
            title="Load bench reflection",
            reflected_on=today,
            model="free",
            stage_text="What I learned under load, and what I will do next.",
        ),
        "documents": documents(session, base, user.portfolio_id),
        "editable": [{"id": a, "version": v} for a, v in user.editable],
    }


def prepare_all(base: str, users: list[BenchUser]) -> list[dict]:
    with ThreadPoolExecutor(LOGINS_AT_ONCE) as pool:
        return list(pool.map(lambda user: prepare(base, user), users))


def check_writes(base: str, entry: dict) -> None:
    """Post one activity, one reflection and one edit as load.lua will; each must save (302).
    The edit's version is then one higher, as load.lua expects."""
    headers = {
        "Cookie": entry["cookie"],
        "User-Agent": USER_AGENT,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    first = entry["editable"][0]
    posts = [
        ("/activities/new", entry["log"].replace("__N__", "check")),
        ("/reflections/new", entry["reflect"]),
        (
            f"/activities/{first['id']}/edit",
            entry["edit"].replace("__N__", "check").replace("__V__", str(first["version"])),
        ),
    ]
    for path, body in posts:
        response = requests.post(
            base + path, data=body, headers=headers, allow_redirects=False, timeout=60
        )
        if response.status_code != 302:
            raise SystemExit(f"POST {path} answered {response.status_code}, not a save (302)")
    first["version"] += 1


def _lua(value) -> str:
    """`value` (dict, list, str, int) as a Lua literal."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # Every byte but letters and digits as a three-digit decimal escape: no quoting to get wrong.
    text = str(value).encode()
    return (
        '"' + "".join(chr(b) if b < 128 and chr(b).isalnum() else f"\\{b:03d}" for b in text) + '"'
    )


def write_users(path: Path, entries: Iterable[dict], mix: dict[str, int]) -> Path:
    """The file load.lua's init() reads with dofile(): the users, search terms and the mix."""
    data = {
        "ua": USER_AGENT,
        "search": SEARCH_TERMS,
        "mix": [[action, weight] for action, weight in mix.items()],
        "users": list(entries),
    }
    path.write_text("return " + _lua(data) + "\n", encoding="utf-8")
    return path
