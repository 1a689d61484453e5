"""`flask demo` leaves an appraisal signed off and one waiting for the demo account."""

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Portfolio, User
from cpd_log.models.appraisal import Appraisal, AppraisalState
from cpd_log.portfolio import services as portfolio_services


def test_demo_appraisals(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--activities", "10"])
    assert result.exit_code == 0, result.output
    assert "demo appraisals: 2 submitted to demo@example.com, one signed off" in result.output
    assert runner.invoke(args=["demo", "--activities", "10"]).exit_code == 0  # once only
    appraisals = list(db.session.scalars(select(Appraisal).order_by(Appraisal.id)))
    demo = db.session.scalar(select(User).where(User.email == "demo@example.com"))
    assert [a.state for a in appraisals] == [AppraisalState.SIGNED_OFF, AppraisalState.SUBMITTED]
    assert {a.appraiser_id for a in appraisals} == {demo.id}
    signed = appraisals[0]
    assert signed.snapshot["activities"] and len(signed.comments) == 1
    content = portfolio_services.gather(db.session.get(Portfolio, signed.portfolio_id))
    assert content.appraisal_sign_offs == [signed]
