"""Bulk delete with Undo in a real browser: tick three activities, delete, Undo, they are back."""

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import User
from tests import factories
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
    expect(page.get_by_text("1 activity", exact=True)).to_be_visible()

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
