"""The competency picker's hints (issue 14, Deliver 1): recent and suggested competencies, the
user's own only, in a constant number of queries; and every picker marked for enhancement."""

from datetime import date

import pytest

from cpd_log.competencies.picker import picker_hints, title_stems
from tests import factories

HINTS = "/competencies/picker-hints"


def test_title_stems_skip_short_and_common_words():
    assert title_stems("Influencing skills workshop, day 2") == {"influ", "skill"}
    assert title_stems("") == set()


def test_recent_first_and_suggested_from_past_titles(app, user, framework):
    a11, a12, a21, a22 = factories.leaves(framework)
    factories.make_activity(user, [a11], title="Negotiation basics", start_date=date(2026, 1, 5))
    factories.make_activity(
        user, [a12, a11], title="Negotiating budgets", start_date=date(2026, 2, 5)
    )
    factories.make_activity(user, [a21], title="Risk registers", start_date=date(2026, 3, 5))

    hints = picker_hints(user, "Advanced negotiation")
    assert hints["recent"][0] == a21.id  # the newest activity's first
    assert set(hints["recent"]) == {a11.id, a12.id, a21.id}
    assert hints["suggested"][0] == a11.id  # on both negotiation titles
    assert set(hints["suggested"]) == {a11.id, a12.id}
    assert picker_hints(user, "Gardening")["suggested"] == []


def test_the_json_is_the_users_own(logged_in, user, other_user, framework):
    a11, a12, *_ = factories.leaves(framework)
    factories.make_activity(other_user, [a12], title="Negotiation secrets")
    factories.make_activity(user, [a11], title="Negotiation clinic")
    body = logged_in.get(f"{HINTS}?title=negotiation").get_json()
    assert body == {"recent": [a11.id], "suggested": [a11.id], "stems": ["negot"]}


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(HINTS)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_queries_do_not_grow_with_history(logged_in, user, framework, count_queries):
    leaves = factories.leaves(framework)

    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get(f"{HINTS}?title=Negotiation+clinic").status_code == 200
        return len(statements)

    factories.make_activity(user, leaves[:1], title="Negotiation one")
    small = queries()
    for n in range(40):
        factories.make_activity(user, leaves[n % 4 :], title=f"Negotiation {n}")
    assert queries() == small


@pytest.mark.parametrize("path", ["/activities/new", "/reflections/new", "/portfolios/new"])
def test_competency_pickers_are_marked_for_the_searchable_picker(logged_in, framework, path):
    page = logged_in.get(path).data.decode()
    assert 'id="competencies"' in page
    assert 'data-picker="competencies"' in page and f'data-hints-url="{HINTS}"' in page
    assert "vendor/tom-select/tom-select.complete.min.js" in page and "picker.js" in page


def test_a_goals_linked_activities_get_the_searchable_picker(logged_in, framework):
    competency = factories.leaves(framework)[0]
    page = logged_in.get(f"/competencies/{competency.id}").data.decode()
    assert 'id="goal-activities"' in page and 'data-picker="activities"' in page
