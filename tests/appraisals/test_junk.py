"""No input, however strange, makes an appraisal form answer 500 (generated junk, as
tests/test_no_500.py does for the other forms); and junk never records anything."""

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models.appraisal import Appraisal, AppraisalState
from tests.appraisals.helpers import make_cast, submit
from tests.test_no_500 import JUNK, SETTINGS

REVIEW_FORMS = {
    "comment": ["round", "activity_id", "body"],
    "decide": ["round", "reason", "sign_off", "return_it"],
}


def test_junk_in_the_appraisers_forms_never_answers_500(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)

    @SETTINGS
    @given(st.sampled_from(sorted(REVIEW_FORMS)), st.data())
    def check(form, data):
        fields = st.fixed_dictionaries(dict.fromkeys(REVIEW_FORMS[form], JUNK))
        response = client.post(f"/appraisals/review/{appraisal.id}/{form}", data=data.draw(fields))
        # 404: an activity id that is not a number names no activity of the submission.
        assert response.status_code in (200, 302, 404, 422), response.status_code

    check()


def test_junk_in_the_submission_form_never_answers_500(app, client, login_as):
    cast = make_cast()
    login_as(client, cast.member)

    @SETTINGS
    @given(JUNK)
    def check(choice):
        response = client.post(
            f"/appraisals/submit/{cast.portfolio.id}", data={"appraiser": choice}
        )
        assert response.status_code in (200, 302), response.status_code

    check()
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0


def test_a_state_survives_junk(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    client.post(
        f"/appraisals/review/{appraisal.id}/decide", data={"round": "1e309", "sign_off": "x"}
    )
    db.session.expire_all()
    assert db.session.get(Appraisal, appraisal.id).state is AppraisalState.SUBMITTED
    answer = client.post(
        f"/appraisals/review/{appraisal.id}/decide", data={"sign_off": "x"}, follow_redirects=True
    )
    assert "This form is out of date: reload the page. Nothing changed." in answer.get_data(
        as_text=True
    )
