"""No input, however strange, makes a form answer 500: every POST route gets generated junk."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpd_log.activities.fields import COLUMNS
from tests import factories

JUNK = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "2026-02-30", "9999-12-31", "0001-01-01"]),
    st.sampled_from(["\x00", "%00", "' OR 1=1 --", "<script>", "{{7*7}}", "𝕏" * 50, "١٢٫٥"]),
)
ACTIVITY_FIELDS = list(COLUMNS)  # the activity form's fields, named as in the field table
FORMS = {
    "/activities/new": ACTIVITY_FIELDS,
    "/activities/{activity_id}/edit": ACTIVITY_FIELDS,
    "/activities/?": ["q", "date_from", "date_to", "kind", "status", "competency", "sort", "page"],
    "/account/password": ["current_password", "password", "confirm"],
    "/account/email": ["email", "password"],
    "/account/forgot": ["email"],
    "/log/": ["title", "kind", "hours", "what_stuck"],
    "/dashboard?": ["period"],
}
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("path", list(FORMS))
def test_generated_input_never_answers_500(logged_in, user, framework, path):
    activity = factories.make_activity(user, competencies=factories.leaves(framework)[:1])
    url = path.format(activity_id=activity.id)

    @SETTINGS
    @given(st.fixed_dictionaries(dict.fromkeys(FORMS[path], JUNK)))
    def check(data):
        if url.endswith("?"):
            response = logged_in.get(url, query_string=data)
        else:
            response = logged_in.post(url, data=data)
        # 409: a valid edit without the form's version is refused as stale (never trusted).
        assert response.status_code in (200, 302, 409), response.status_code

    check()


def test_generated_registration_and_login_never_answer_500(client):
    @SETTINGS
    @given(
        st.fixed_dictionaries(dict.fromkeys(["email", "display_name", "password", "confirm"], JUNK))
    )
    def check(data):
        assert client.post("/account/register", data=data).status_code in (200, 302)
        client.post("/account/logout")
        assert client.post("/account/login", data=data).status_code in (200, 302)

    check()
