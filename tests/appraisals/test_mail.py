"""The appraiser hears of a submission, the member of a return or a sign-off: real SMTP."""

from cpd_log.extensions import db
from cpd_log.mail import sending
from tests.appraisals.helpers import make_cast
from tests.mail.smtp import html_of, text_of


def test_submission_return_and_sign_off_are_mailed(mail_app, smtp, login_as):
    client = mail_app.test_client()
    cast = make_cast()
    cast.member.display_name = "Mia <b>Member</b>"
    db.session.commit()
    login_as(client, cast.member)
    response = client.post(
        f"/appraisals/submit/{cast.portfolio.id}",
        data={"appraiser": f"{cast.team.id}:{cast.appraiser.id}"},
    )
    appraisal_path = response.headers["Location"]
    appraisal_id = int(appraisal_path.rsplit("/", 1)[1])
    assert sending.wait_for_sends()
    (submitted,) = smtp.wait_for(1)
    assert smtp.recipients[0] == [cast.appraiser.email]
    assert submitted["Subject"] == "CPD Log: a portfolio was submitted to you for appraisal"
    body = text_of(submitted)
    assert 'Mia <b>Member</b> submitted "Appraisal 2026" (1 Jan 2026 – 31 Dec 2026)' in body
    assert f"/appraisals/review/{appraisal_id}" in body
    assert "Mia &lt;b&gt;Member&lt;/b&gt;" in html_of(submitted)
    assert "Risk workshop" not in body  # the content stays behind the login

    client.post("/account/logout")
    login_as(client, cast.appraiser)
    review = f"/appraisals/review/{appraisal_id}/decide"
    client.post(review, data={"round": 1, "reason": "Add outcomes.", "return_it": "x"})
    assert sending.wait_for_sends()
    returned = smtp.wait_for(2)[1]
    assert smtp.recipients[1] == [cast.member.email]
    assert returned["Subject"] == "CPD Log: your portfolio was returned with comments"
    assert "Add outcomes." in text_of(returned) and appraisal_path in text_of(returned)

    client.post("/account/logout")
    login_as(client, cast.member)
    client.post(f"/appraisals/{appraisal_id}/resubmit")
    assert sending.wait_for_sends()
    resubmitted = smtp.wait_for(3)[2]
    assert smtp.recipients[2] == [cast.appraiser.email]
    assert "round 2, after your return" in text_of(resubmitted)

    client.post("/account/logout")
    login_as(client, cast.appraiser)
    client.post(review, data={"round": 2, "sign_off": "x"})
    assert sending.wait_for_sends()
    signed = smtp.wait_for(4)[3]
    assert smtp.recipients[3] == [cast.member.email]
    assert signed["Subject"] == "CPD Log: your portfolio was signed off"
    assert "Bea Appraiser (PMO Office) signed off" in text_of(signed)
