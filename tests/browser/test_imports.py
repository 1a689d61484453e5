"""Imports and quick capture in a real browser: a calendar file in, chosen events on the list."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cpd_log.background import queue
from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow, register
from tests.browser.test_searchable_picker import pick_by_keyboard

pytestmark = pytest.mark.browser
MEETUP = Path(__file__).parent.parent / "imports" / "fixtures" / "meetup_weekly.ics"


def test_import_chosen_calendar_events_and_find_them_on_the_list(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/imports/$"))

    page.get_by_label("Calendar file (.ics)").set_input_files(MEETUP)
    page.get_by_role("button", name="Preview events").click()
    expect(page.get_by_role("heading", name="Choose events to log")).to_be_visible()
    boxes = page.locator('input[name="events"]')
    expect(boxes).to_have_count(5)
    for index in range(5):
        expect(boxes.nth(index)).not_to_be_checked()

    page.get_by_role("checkbox", name="PMO Flashmob: lean coffee (moved, longer)").check()
    boxes.first.check()
    page.get_by_label("Kind for the chosen events").select_option(
        label="Community event (e.g. PMO Flashmob)"
    )
    page.get_by_role("button", name="Import chosen events").click()

    expect(page).to_have_url(re.compile(r"/activities/$"))
    expect(page.get_by_text("Imported 2 activities.")).to_be_visible()
    expect(
        page.get_by_role("link", name="PMO Flashmob: lean coffee (moved, longer)")
    ).to_be_visible()
    expect(page.get_by_role("link", name="PMO Flashmob: weekly lean coffee")).to_have_count(1)
    assert_clean(tab)


def test_a_large_calendar_waits_for_the_worker_then_offers_its_events(
    open_tab, live_app, monkeypatch, tmp_path
):
    """The progress page of a calendar read by a worker: its script polls, then moves on to the
    events once the job (taken off a real SQLite queue, as `flask worker` does) has read them."""
    jobs = live_app.extensions[queue.EXTENSION].jobs
    monkeypatch.setitem(live_app.config, "QUEUE_URL", f"sqlite:///{tmp_path / 'queue.sqlite'}")
    monkeypatch.setitem(live_app.config, "IMPORT_BACKGROUND_AT", 1)  # the file has 2 events
    waiting = queue.Queue(live_app, jobs)
    monkeypatch.setitem(live_app.extensions, queue.EXTENSION, waiting)
    tab = open_tab()
    page = tab.page
    register(page, display_name="Lin")
    page.goto("/imports/")
    page.get_by_label("Calendar file (.ics)").set_input_files(MEETUP)
    page.get_by_role("button", name="Preview events").click()

    expect(page.get_by_role("heading", name="Reading your calendar")).to_be_visible()
    expect(page.get_by_test_id("sheet-job-status")).to_have_text("Waiting to start…")
    task = waiting.huey.dequeue()  # the worker's turn
    assert task is not None and task.name == "import-batch"
    waiting.huey.execute(task)

    expect(page.get_by_role("heading", name="Choose events to log")).to_be_visible()
    expect(page.locator('input[name="events"]')).to_have_count(5)
    page.get_by_role("checkbox", name="PMO Flashmob: lean coffee (moved, longer)").check()
    page.get_by_role("button", name="Import chosen events").click()
    expect(page.get_by_text("Imported 1 activity.")).to_be_visible()
    assert_clean(tab)


def test_quick_capture_on_a_phone_then_complete_it_from_the_dashboard(open_tab):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    register(page, display_name="Grace")
    page.get_by_role("link", name="+ Log", exact=True).click()
    page.get_by_label("What did you do?").fill("Podcast on benefits tracking")
    page.get_by_label("Kind").select_option(label="Podcast")
    page.get_by_label("Hours").fill("0:45")
    page.get_by_label("One thing that stuck").fill("Track benefits after closure.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    prompts = page.get_by_test_id("capture-prompts")
    expect(prompts).to_contain_text("Podcast on benefits tracking")
    assert horizontal_overflow(page) == 0
    prompts.get_by_role("link", name="Complete").click()
    page.get_by_label("Provider or organiser").fill("PMO Pulse")
    page.get_by_role("button", name="Save activity").click()
    expect(page.get_by_test_id("hours")).to_have_text("0.75")
    page.goto("/dashboard")
    expect(page.get_by_test_id("capture-prompts")).to_have_count(0)
    assert_clean(tab)


def test_choose_all_events_give_one_its_own_kind_and_read_the_dates(open_tab):
    """Issue 14, defect 8: a "Choose all" box, a kind per event, dates as "5 Mar 2026"."""
    tab = open_tab()
    page = tab.page
    register(page)
    page.goto("/imports/")
    page.get_by_label("Calendar file (.ics)").set_input_files(MEETUP)
    page.get_by_role("button", name="Preview events").click()
    expect(page.locator("tbody")).to_contain_text("5 Mar 2026")
    expect(page.locator("tbody")).not_to_contain_text("2026-03-05")

    boxes = page.locator('input[name="events"]')
    choose_all = page.get_by_label("Choose all events")
    choose_all.check()
    for index in range(5):
        expect(boxes.nth(index)).to_be_checked()
    boxes.nth(4).uncheck()
    assert choose_all.evaluate("(box) => box.indeterminate") is True
    page.get_by_label("Kind of “PMO Flashmob: lean coffee (moved, longer)”").select_option(
        label="Webinar"
    )
    page.get_by_label("Kind for the chosen events").select_option(
        label="Community event (e.g. PMO Flashmob)"
    )
    page.get_by_role("button", name="Import chosen events").click()
    expect(page.get_by_text("Imported 4 activities.")).to_be_visible()
    page.get_by_role("link", name="PMO Flashmob: lean coffee (moved, longer)").click()
    expect(page.get_by_text("Webinar", exact=True)).to_be_visible()
    assert_clean(tab)


def test_one_event_gets_its_own_competencies_by_code(open_tab):
    """Issue 14, defect 8: an event's own competencies win over those chosen for all; a code
    that is not one is named at its box, and the error summary leads there."""
    tab = open_tab()
    page = tab.page
    register(page)
    page.goto("/imports/")
    page.get_by_label("Calendar file (.ics)").set_input_files(MEETUP)
    page.get_by_role("button", name="Preview events").click()
    moved = "PMO Flashmob: lean coffee (moved, longer)"
    page.get_by_role("checkbox", name=moved).check()
    page.locator('input[name="events"]').first.check()
    own = page.get_by_label(f"Competencies of “{moved}”")
    # The codes suggested while typing the second one keep the first (static/event-codes.js).
    own.fill("GOV.1; RE")
    suggestions = page.locator("#competency-codes option")
    expect(suggestions.first).to_have_attribute("value", re.compile(r"^GOV\.1; \S+$"))
    expect(page.locator('#competency-codes option[value="GOV.1; REP.1"]')).to_have_count(1)
    own.fill("GOV.1; NOPE.9")
    pick_by_keyboard(page, "STK.3", "STK.3 Influencing")
    page.get_by_role("button", name="Import chosen events").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile(r"“NOPE\.9” is not a competency")).click()
    expect(own).to_be_focused()
    expect(own).to_have_value("GOV.1; NOPE.9")
    own.fill("GOV.1; REP.1")
    page.get_by_role("button", name="Import chosen events").click()

    expect(page.get_by_text("Imported 2 activities.")).to_be_visible()
    page.get_by_role("link", name=moved).click()
    expect(page.get_by_text("GOV.1 Governance design")).to_be_visible()
    expect(page.get_by_text("REP.1 Status reporting")).to_be_visible()
    expect(page.get_by_text("STK.3 Influencing and negotiation")).to_have_count(0)
    page.go_back()
    page.get_by_role("link", name="PMO Flashmob: weekly lean coffee").click()
    expect(page.get_by_text("STK.3 Influencing and negotiation")).to_be_visible()
    expect(page.get_by_text("GOV.1 Governance design")).to_have_count(0)
    assert_clean(tab)
