"""The layout's parts are kept rendered (cpd_log/layout.py): each page still shows its own user,
its own current menu item, its own URL prefix and its own session's CSRF token."""

import re

import pytest
from jinja2 import meta

from cpd_log import layout
from tests import factories

ALWAYS = {"url_for", "csrf_token"}


def _source_without_comments(app, name: str) -> str:
    source = app.jinja_env.loader.get_source(app.jinja_env, name)[0]
    return re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)


@pytest.mark.parametrize("name", sorted(layout.PARTS))
def test_each_part_reads_only_what_it_is_given(app, name):
    """A kept part must not read the request, the user or the session behind its key's back."""
    part = layout.PARTS[name]
    source = _source_without_comments(app, name)
    used = meta.find_undeclared_variables(app.jinja_env.parse(source))
    assert used <= part.key | part.slots | set(layout.CONSTANTS) | ALWAYS
    for slot in part.slots:  # a slot is a placeholder while rendering: printed, never tested
        assert len(re.findall(rf"\b{slot}\b", source)) == source.count(f"{{{{ {slot} }}}}")


def _current(page: str) -> list[str]:
    return re.findall(
        r'<a class="nav-link active" href="[^"]*" aria-current="page">([^<]+)</a>', page
    )


def test_the_menu_marks_each_pages_own_section(logged_in):
    assert _current(logged_in.get("/activities/").get_data(as_text=True)) == ["Activities"]
    assert _current(logged_in.get("/schemes/").get_data(as_text=True)) == ["Schemes"]
    assert _current(logged_in.get("/trash/").get_data(as_text=True)) == []
    assert _current(logged_in.get("/activities/").get_data(as_text=True)) == ["Activities"]


def test_a_visitor_sees_the_visitor_menu(client):
    page = client.get("/account/login").get_data(as_text=True)
    assert _current(page) == ["Log in"]
    assert "Log out" not in page
    assert _current(client.get("/account/register").get_data(as_text=True)) == ["Register"]


def test_each_user_sees_their_own_name_escaped(app, login_as):
    ada = factories.make_user(email="ada@example.com", display_name='<b>Ada & "Co"</b>')
    bob = factories.make_user(email="bob@example.com", display_name="Bob")
    ada_page = login_as(app.test_client(), ada).get("/schemes/").get_data(as_text=True)
    bob_page = login_as(app.test_client(), bob).get("/schemes/").get_data(as_text=True)
    assert "&lt;b&gt;Ada &amp; &#34;Co&#34;&lt;/b&gt;</a>" in ada_page
    assert "<b>Ada" not in ada_page
    assert ">Bob</a>" in bob_page
    assert "Ada" not in bob_page
    assert "placeholder-" not in ada_page + bob_page


def test_links_follow_the_prefix_the_app_is_served_under(logged_in):
    prefixed = logged_in.get("/schemes/", base_url="http://localhost/cpd/").get_data(as_text=True)
    plain = logged_in.get("/schemes/").get_data(as_text=True)
    assert 'href="/cpd/activities/"' in prefixed
    assert 'href="/cpd/static/app.css' in prefixed
    assert 'href="/activities/"' in plain
    assert "/cpd/" not in plain


def _logout_token(page: str) -> str:
    form = re.search(r'<form method="post" action="/account/logout">(.*?)</form>', page, re.S)
    return re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)


def test_the_logout_form_carries_each_sessions_own_token(app_factory, user, other_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    clients = []
    for person in (user, other_user):
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/account/login").get_data(as_text=True),
        ).group(1)
        data = {"email": person.email, "password": factories.PASSWORD, "csrf_token": token}
        assert client.post("/account/login", data=data).status_code == 302
        clients.append(client)
    ada, bob = clients
    ada_token = _logout_token(ada.get("/schemes/").get_data(as_text=True))
    bob_token = _logout_token(bob.get("/schemes/").get_data(as_text=True))
    assert ada_token != bob_token
    assert bob.post("/account/logout", data={"csrf_token": ada_token}).status_code == 400
    assert bob.get("/schemes/").status_code == 200  # still logged in
    assert bob.post("/account/logout", data={"csrf_token": bob_token}).status_code == 302
    assert bob.get("/schemes/").status_code == 302  # to the login page
    assert ada.get("/schemes/").status_code == 200


def test_parts_are_rendered_once_and_then_kept(logged_in, app):
    kept = app.extensions[layout.EXTENSION]
    logged_in.get("/schemes/")
    misses = kept.misses
    logged_in.get("/schemes/")
    logged_in.get("/schemes/")
    assert kept.misses == misses
    assert kept.hits >= 6  # head, menus and scripts of both pages


def test_while_templates_reload_every_part_is_rendered(app_factory, login_as, user):
    app = app_factory(TEMPLATES_AUTO_RELOAD=True)
    client = login_as(app.test_client(), user)
    kept = app.extensions[layout.EXTENSION]
    client.get("/schemes/")
    client.get("/schemes/")
    assert kept.hits == 0
    assert _current(client.get("/schemes/").get_data(as_text=True)) == ["Schemes"]


def test_a_part_refuses_values_it_does_not_declare(app):
    with app.test_request_context("/"), pytest.raises(TypeError):
        layout.layout_part("_layout/head.html", user="ada")
