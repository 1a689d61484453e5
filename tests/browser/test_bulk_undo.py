"""Bulk delete with Undo in a real browser: tick three activities, delete, Undo, they are back."""

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import User
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def _activities_for(live_app, display_name: str, titles: list[str]) -> None:
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.display_name == display_name))
        for title in titles:
            factories.make_activity(user, title=title)
        db.session.remove()


def test_tick_three_delete_then_undo_brings_them_back(open_tab, live_app):
    tab = open_tab()
    page = tab.page
    name = f"Bulk {uuid4().hex[:8]}"
    register(page, name)
    titles = [f"Lunch and learn {n}" for n in range(1, 5)]
    _activities_for(live_app, name, titles)

    page.goto("/activities/")
    expect(page.get_by_text("4 activities")).to_be_visible()
    for title in titles[:3]:
        page.get_by_label(f"Choose {title}").check()
    page.get_by_text("Change or delete several activities").click()
    page.get_by_label("Action", exact=True).select_option(label="Delete (to the Trash)")
    page.get_by_role("button", name="Apply to the chosen activities").click()

    expect(page.get_by_role("heading", name="Delete 3 activities?")).to_be_visible()
    page.get_by_role("button", name="Delete 3 activities").click()
    expect(page).to_have_url(re.compile(r"/activities/$"))
    expect(page.get_by_test_id("undo-message")).to_contain_text("Deleted 3 activities.")
    expect(page.get_by_test_id("list-totals")).to_contain_text("1 activity ·")

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Restored 3 activities.")).to_be_visible()
    expect(page.get_by_text("4 activities")).to_be_visible()
    for title in titles:
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    page.goto("/trash/")
    expect(page.get_by_text("The trash is empty.")).to_be_visible()
    assert_clean(tab)


def test_choose_all_on_the_page_then_change_the_kind(open_tab, live_app):
    tab = open_tab()
    page = tab.page
    name = f"Bulk {uuid4().hex[:8]}"
    register(page, name)
    _activities_for(live_app, name, ["Podcast one", "Podcast two"])

    page.goto("/activities/")
    page.get_by_label("Choose every activity on this page").check()
    expect(page.get_by_label("Choose Podcast one")).to_be_checked()
    page.get_by_text("Change or delete several activities").click()
    page.get_by_label("Action", exact=True).select_option(label="Change the kind")
    page.get_by_label("New kind").select_option(label="Podcast")
    page.get_by_role("button", name="Apply to the chosen activities").click()
    expect(page.get_by_text("Changed the kind of 2 activities to Podcast.")).to_be_visible()
    assert_clean(tab)


def test_the_list_with_its_bulk_actions_fits_a_phone(open_tab, demo_login):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    demo_login(page)
    page.goto("/activities/")
    page.get_by_text("Change or delete several activities").click()
    expect(page.get_by_label("Action", exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert_clean(tab)


def test_bulk_actions_work_without_javascript(open_tab, live_app):
    tab = open_tab(javascript=False)
    page = tab.page
    name = f"Bulk {uuid4().hex[:8]}"
    register(page, name)
    _activities_for(live_app, name, ["Reading one", "Reading two"])
    page.goto("/activities/")
    expect(page.get_by_label("Choose every activity on this page")).to_be_hidden()
    page.get_by_label("Choose Reading one").check()
    page.get_by_text("Change or delete several activities").click()
    page.get_by_label("Action", exact=True).select_option(label="Change the status")
    page.get_by_label("New status").select_option(label="Planned")
    page.get_by_role("button", name="Apply to the chosen activities").click()
    expect(page.get_by_text("Marked 1 activity planned.")).to_be_visible()
