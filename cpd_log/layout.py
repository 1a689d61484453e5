"""The layout around every page (templates/base.html), its parts kept rendered in the process.

Every page paid for its layout on every request: the stylesheets and scripts, the menus with
some twenty-five `url_for` calls, a macro call per menu item and the logout form's CSRF token —
about 40 % of the trivial logged-in page (bench/floor.py). None of it changes between requests
with the same few inputs, so each part is a template under templates/_layout/ that reads only
what it is given (PARTS; tests/test_layout.py checks every name a part uses), kept rendered
per process (cpd_log/page_cache.py KeptHtml):

- `key` values change the HTML (which menu item is current, signed in or not): with the URL
  prefix the app is served under (SCRIPT_NAME), they are the cache key;
- `slots` are text a part only prints (the user's name): rendered as a placeholder and filled
  in, escaped, on every response, so one entry serves every user;
- the CSRF token is filled in on every response, as in the page cache.

While templates reload (debug), the parts are rendered on every request, so an edit shows.
"""

from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, current_app, request
from markupsafe import Markup

from cpd_log.page_cache import KeptHtml

EXTENSION = "cpd_log.layout"
# A handful of entries (parts × current menu item); the bound only matters if a proxy sent many
# SCRIPT_NAMEs.
MAX_CHARS = 2_000_000


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: str
    # Blueprints whose pages mark this item as the current one.
    sections: tuple[str, ...] = ()


MAIN_MENU = (
    MenuItem("dashboard.index", "Dashboard", ("dashboard",)),
    MenuItem("activities.index", "Activities", ("activities", "capture", "evidence")),
    MenuItem("schemes.index", "Schemes", ("schemes",)),
    MenuItem("reflections.index", "Reflections", ("reflections",)),
    MenuItem("competencies.index", "Competencies", ("competencies",)),
    MenuItem("imports.index", "Import", ("imports",)),
    MenuItem(
        "portfolio.index",
        "Portfolios",
        ("portfolio", "documents", "export_jobs", "share_links", "appraisals"),
    ),
    MenuItem("teams.index", "Teams", ("teams", "team_lead")),
)
VISITOR_MENU = (MenuItem("auth.login", "Log in"), MenuItem("auth.register", "Register"))
# What every part may read besides its key and slots (and `url_for`, `csrf_token`).
CONSTANTS = {"main_menu": MAIN_MENU, "visitor_menu": VISITOR_MENU}


@dataclass(frozen=True)
class Part:
    key: frozenset[str] = frozenset()
    slots: frozenset[str] = frozenset()


PARTS = {
    "_layout/head.html": Part(),
    "_layout/nav.html": Part(
        key=frozenset({"signed_in", "current"}), slots=frozenset({"user_name"})
    ),
    "_layout/scripts.html": Part(),
}


def current_menu_item() -> str | None:
    """The endpoint of the menu item this request's page belongs to, if any."""
    blueprint, endpoint = request.blueprint, request.endpoint
    for item in MAIN_MENU + VISITOR_MENU:
        if blueprint in item.sections or endpoint == item.endpoint:
            return item.endpoint
    return None


def layout_part(name: str, slots: dict[str, str] | None = None, **key: Hashable) -> Markup:
    """Part `name` of the layout for these key values, with `slots` filled in."""
    part = PARTS[name]
    slots = slots or {}
    if key.keys() != part.key or not slots.keys() <= part.slots:
        raise TypeError(f"{name} takes key {sorted(part.key)} and slots {sorted(part.slots)}")
    kept: KeptHtml = current_app.extensions[EXTENSION]

    def render() -> str:
        template = current_app.jinja_env.get_template(name)
        values = {**CONSTANTS, **key, **{slot: kept.slot(slot) for slot in slots}}
        return template.render(csrf_token=kept.placeholder_token, **values)

    if current_app.jinja_env.auto_reload:
        return kept.fill(render(), slots)
    return kept.kept((name, request.script_root, tuple(sorted(key.items()))), render, slots)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = KeptHtml(MAX_CHARS)
    app.add_template_global(layout_part, "layout_part")
    app.add_template_global(current_menu_item, "current_menu_item")
