"""Two tabs, or many threads, saving one activity: one save wins, no update is lost, never a 500.

Real concurrency: every client is its own session in its own thread, each request its own
database connection, on the run's real database (a SQLite file, or PostgreSQL under
CPD_LOG_TEST_DATABASE_URL).
"""

import re
import threading

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Activity, Reflection
from cpd_log.models.activity import activity_competency
from tests import factories
from tests.activities.test_views import form_data

CONFLICT = "This activity was changed elsewhere — review and save again"


def version_in(page: str) -> str:
    """The hidden version field of an edit form ("" when the form has none)."""
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    return match.group(1) if match else ""


def tab(app, user):
    """A second browser session of the same user."""
    client = app.test_client()
    response = client.post(
        "/account/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client


def post(client, url: str, data: dict):
    """POST from a thread: (status, response); an exception escaping the view (TESTING
    propagates them) is what a user sees as a 500."""
    try:
        response = client.post(url, data=data)
    except Exception as error:  # noqa: BLE001 - every escaping exception counts
        return 500, error
    return response.status_code, response


def tags_of(activity_id: int) -> set[int]:
    db.session.rollback()
    return set(
        db.session.scalars(
            select(activity_competency.c.competency_id).where(
                activity_competency.c.activity_id == activity_id
            )
        )
    )


def test_two_tabs_one_wins_the_other_sees_both_versions(app, user, framework):
    first, second, third, _ = factories.leaves(framework)
    activity = factories.make_activity(user, competencies=[first], title="Original")
    url = f"/activities/{activity.id}/edit"
    tabs = [tab(app, user), tab(app, user)]
    versions = [version_in(t.get(url).get_data(as_text=True)) for t in tabs]
    mine = form_data(title="Tab A title", hours="2", competencies=[str(second.id)])
    theirs = form_data(title="Tab B title", hours="3", competencies=[str(third.id)])
    barrier = threading.Barrier(2, timeout=30)
    answers: list = [None, None]

    def save(n, data):
        barrier.wait()
        answers[n] = post(tabs[n], url, {**data, "version": versions[n]})

    threads = [threading.Thread(target=save, args=(n, d)) for n, d in enumerate([mine, theirs])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(code for code, _response in answers)
    assert codes == [302, 409], answers
    winner = 0 if answers[0][0] == 302 else 1
    won, lost = [mine, theirs][winner], [mine, theirs][1 - winner]
    db.session.rollback()
    saved = db.session.get(Activity, activity.id)
    assert saved.title == won["title"]
    assert tags_of(activity.id) == {int(c) for c in won["competencies"]}
    # The loser's page keeps what they typed, shows what was saved, and carries the new version.
    page = answers[1 - winner][1].get_data(as_text=True)
    assert CONFLICT in page
    assert f'value="{lost["title"]}"' in page
    assert won["title"] in page and lost["title"] in page
    assert version_in(page) == str(saved.version)
    # Saving again from that page succeeds: nothing the user typed is lost.
    again = tabs[1 - winner].post(url, data={**lost, "version": version_in(page)})
    assert again.status_code == 302
    db.session.rollback()
    assert db.session.get(Activity, activity.id).title == lost["title"]
    assert tags_of(activity.id) == {int(c) for c in lost["competencies"]}


def test_a_stale_save_writes_nothing_and_lists_only_the_fields_that_differ(
    app, logged_in, user, framework
):
    first, second, *_ = factories.leaves(framework)
    activity = factories.make_activity(user, competencies=[first], title="Original")
    url = f"/activities/{activity.id}/edit"
    old = version_in(logged_in.get(url).get_data(as_text=True))
    assert old
    changed = form_data(title="Saved elsewhere", competencies=[str(first.id)])
    assert logged_in.post(url, data={**changed, "version": old}).status_code == 302
    stale = form_data(title="My stale edit", competencies=[str(second.id)])
    response = logged_in.post(url, data={**stale, "version": old})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    differences = page.split('data-testid="conflict"', 1)[1].split("</table>", 1)[0]
    assert "Saved elsewhere" in differences and "My stale edit" in differences
    assert "A1.1 Competency 1.1" in differences and "A1.2 Competency 1.2" in differences
    assert "Provider" not in differences  # the same in both: not listed
    db.session.rollback()
    assert db.session.get(Activity, activity.id).title == "Saved elsewhere"
    assert tags_of(activity.id) == {first.id}
    # A form without a version (loaded before versions existed) is treated as stale, not trusted.
    assert logged_in.post(url, data=stale).status_code == 409


def test_threads_hammering_tag_edits_never_500_and_end_on_a_submitted_set(app, user, framework):
    leaves = factories.leaves(framework)
    activity = factories.make_activity(user, competencies=leaves[:1])
    url = f"/activities/{activity.id}/edit"
    # Each thread submits its own set of tags (some overlapping, one empty), retrying on
    # "changed elsewhere" as a user would, until its save is accepted.
    ids = [c.id for c in leaves]
    wanted = [ids[n % 4 : n % 4 + (n % 3)] for n in range(8)]
    tabs = [tab(app, user) for _ in wanted]
    barrier = threading.Barrier(len(tabs), timeout=30)
    answers: list[list] = [[] for _ in tabs]

    def hammer(n):
        data = form_data(title=f"Thread {n}", competencies=[str(c) for c in wanted[n]])
        barrier.wait()
        for _ in range(12):
            version = version_in(tabs[n].get(url).get_data(as_text=True))
            code, _client = post(tabs[n], url, {**data, "version": version})
            answers[n].append(code)
            if code != 409:
                return

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = [code for per_thread in answers for code in per_thread]
    assert set(codes) <= {302, 409}, codes
    assert all(per_thread[-1] == 302 for per_thread in answers), answers
    db.session.rollback()
    saved = db.session.get(Activity, activity.id)
    last = int(saved.title.removeprefix("Thread "))
    assert tags_of(activity.id) == set(wanted[last])
    assert saved.version == 1 + len(tabs)  # every accepted save counted once, none lost


def test_completing_a_quick_capture_from_an_older_form_writes_nothing(app, logged_in, user):
    from cpd_log.models import QuickCapture

    logged_in.post("/log/", data={"title": "Lean coffee", "kind": "webinar", "hours": "1"})
    activity = db.session.scalar(select(Activity))
    url = f"/log/{activity.id}/complete"
    old = version_in(logged_in.get(url).get_data(as_text=True))
    other_tab = tab(app, user)
    edit_url = f"/activities/{activity.id}/edit"
    edited = form_data(title="Renamed in the other tab", start_date=str(activity.start_date))
    assert other_tab.post(edit_url, data={**edited, "version": old}).status_code == 302
    stale = form_data(title="Completed from the prompt", start_date=str(activity.start_date))
    response = logged_in.post(url, data={**stale, "version": old})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert CONFLICT in page and "Renamed in the other tab" in page
    db.session.rollback()
    assert db.session.get(Activity, activity.id).title == "Renamed in the other tab"
    assert db.session.get(QuickCapture, activity.id) is not None  # the prompt stays
    again = logged_in.post(url, data={**stale, "version": version_in(page)})
    assert again.status_code == 302
    db.session.rollback()
    assert db.session.get(Activity, activity.id).title == "Completed from the prompt"
    assert db.session.get(QuickCapture, activity.id) is None


def test_two_tabs_saving_one_reflection_one_wins_the_other_sees_both(app, user, framework):
    first, second, *_ = factories.leaves(framework)
    reflection = factories.make_reflection(user, competencies=[first])
    url = f"/reflections/{reflection.id}/edit"
    tabs = [tab(app, user), tab(app, user)]
    versions = [version_in(t.get(url).get_data(as_text=True)) for t in tabs]
    base = {"title": reflection.title, "reflected_on": "2026-03-12", "model": "gibbs"}
    mine = {**base, "stage_gibbs_description": "Tab A text", "competencies": [str(first.id)]}
    theirs = {**base, "stage_gibbs_description": "Tab B text", "competencies": [str(second.id)]}
    barrier = threading.Barrier(2, timeout=30)
    answers: list = [None, None]

    def save(n, data):
        barrier.wait()
        answers[n] = post(tabs[n], url, {**data, "save": "1", "version": versions[n]})

    threads = [threading.Thread(target=save, args=(n, d)) for n, d in enumerate([mine, theirs])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _response in answers) == [302, 409], answers
    winner = 0 if answers[0][0] == 302 else 1
    won, lost = [mine, theirs][winner], [mine, theirs][1 - winner]
    page = answers[1 - winner][1].get_data(as_text=True)
    assert "This reflection was changed elsewhere — review and save again" in page
    differences = page.split('data-testid="conflict"', 1)[1].split("</table>", 1)[0]
    assert won["stage_gibbs_description"] in differences
    assert lost["stage_gibbs_description"] in differences
    assert "Title" not in differences  # the same in both
    db.session.rollback()
    saved = db.session.get(Reflection, reflection.id)
    assert saved.stages["gibbs_description"] == won["stage_gibbs_description"]
    assert [c.id for c in saved.competencies] == [int(won["competencies"][0])]
    again = tabs[1 - winner].post(url, data={**lost, "save": "1", "version": version_in(page)})
    assert again.status_code == 302
    db.session.rollback()
    saved = db.session.get(Reflection, reflection.id)
    assert saved.stages["gibbs_description"] == lost["stage_gibbs_description"]
    assert saved.version == 3


def test_tag_writes_are_idempotent(app, user, framework):
    """Inserting a tag that exists is skipped, not a UNIQUE error; setting the same set twice
    changes nothing."""
    from cpd_log.activities.tags import insert_tags, set_tags

    first, second, *_ = (c.id for c in factories.leaves(framework))
    activity_id = factories.make_activity(user).id
    rows = [{"activity_id": activity_id, "competency_id": first}]
    insert_tags(rows)
    insert_tags(rows + [{"activity_id": activity_id, "competency_id": second}])
    db.session.commit()
    assert tags_of(activity_id) == {first, second}
    set_tags(activity_id, [second])
    set_tags(activity_id, [second])
    db.session.commit()
    assert tags_of(activity_id) == {second}
