"""Digests: who gets one, what it says, and never twice per user and period (in-process; the
kill of a real process is tests/reminders/test_kill.py)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Review
from cpd_log.models.reminder import Digest, DigestState, Frequency
from cpd_log.reminders.periods import period_key
from cpd_log.reminders.sending import advance, claim
from tests.mail.smtp import html_of, text_of
from tests.portfolio.builders import make_portfolio
from tests.reminders.helpers import capture, pmp_ending_soon, run, subscriber


def _digests():
    return list(db.session.scalars(select(Digest).order_by(Digest.id)))


def test_a_verified_subscriber_gets_one_digest_and_a_second_run_sends_nothing(mail_app, smtp):
    user = subscriber("ada@example.com")
    capture(user, "Risk webinar")
    first = run(mail_app)
    assert (first.sent, first.done) == (1, 0)
    (message,) = smtp.wait_for(1)
    assert smtp.recipients == [["ada@example.com"]]
    assert "Risk webinar" in text_of(message)
    second = run(mail_app)
    assert (second.sent, second.done) == (0, 1)
    assert len(smtp.messages) == 1
    (row,) = _digests()
    assert row.state == DigestState.SENT and row.sent_at is not None


def test_unverified_accounts_and_those_who_chose_off_get_none(mail_app, smtp):
    for user in (
        subscriber("unverified@example.com", verified=False),
        subscriber("off@example.com", frequency=Frequency.OFF),
    ):
        capture(user)
    report = run(mail_app)
    assert report.sent == 0 and smtp.messages == [] and _digests() == []


def test_a_digest_with_nothing_to_say_is_not_sent_and_can_come_later_in_the_period(mail_app, smtp):
    user = subscriber()
    assert run(mail_app).empty == 1
    assert smtp.messages == [] and _digests() == []  # the claim was given back
    capture(user)
    assert run(mail_app).sent == 1
    smtp.wait_for(1)


def test_a_row_claimed_by_a_killed_run_is_sent_once(mail_app, smtp):
    """Killed after claiming, before the mail server heard anything: the next run sends it."""
    user = subscriber()
    capture(user)
    claim(user.id, period_key(Frequency.WEEKLY, datetime.now(UTC).date()), "a" * 32)
    assert run(mail_app).sent == 1
    smtp.wait_for(1)
    assert run(mail_app).sent == 0
    assert [row.state for row in _digests()] == [DigestState.SENT]
    assert len(smtp.messages) == 1


def test_a_row_left_sending_is_never_sent_again(mail_app, smtp):
    """Killed while talking to the mail server: it may have the mail, so never again."""
    user = subscriber()
    capture(user)
    period = period_key(Frequency.WEEKLY, datetime.now(UTC).date())
    db.session.add(Digest(user_id=user.id, period=period, state=DigestState.SENDING, claim="b"))
    db.session.commit()
    report = run(mail_app)
    assert (report.sent, report.done) == (0, 1)
    assert smtp.messages == []


def test_two_runs_holding_one_claim_send_it_once(mail_app, smtp):
    """The move to `sending` is a compare-and-set on the claim's mark."""
    user = subscriber()
    period = period_key(Frequency.WEEKLY, datetime.now(UTC).date())
    first = claim(user.id, period, "1" * 32)
    second = claim(user.id, period, "2" * 32)  # took the claimed row over
    assert first == second
    assert not advance(first, "1" * 32, DigestState.CLAIMED, DigestState.SENDING)
    assert advance(second, "2" * 32, DigestState.CLAIMED, DigestState.SENDING)
    assert claim(user.id, period, "3" * 32) is None  # sending: nobody takes it any more


def test_the_digest_says_what_to_do_next(mail_app, smtp):
    user = subscriber()
    pmp_ending_soon(user)
    capture(user, "Stakeholder <b>mapping</b> talk")
    portfolio = make_portfolio(user, title="Appraisal 2026")
    db.session.add(
        Review(user_id=user.id, portfolio_id=portfolio.id, reviewer_name="Grace",
               comment="Well evidenced.", signed_off=True)
    )  # fmt: skip
    db.session.commit()
    assert run(mail_app).sent == 1
    (message,) = smtp.wait_for(1)
    text, html = text_of(message), html_of(message)
    assert "PMP ends on" in text and "Not met yet:" in text and "Power Skills" in text
    assert "a month." in text  # the pace needed, from the cycle's projection
    assert "https://cpd.example.org/schemes/cycles/" in text
    assert "Stakeholder <b>mapping</b> talk" in text  # plain text as written
    assert "Stakeholder &lt;b&gt;mapping&lt;/b&gt; talk" in html  # escaped in HTML
    assert 'Grace signed off "Appraisal 2026": Well evidenced.' in text


def test_reviews_already_in_the_last_digest_are_not_repeated(mail_app, smtp):
    user = subscriber(frequency=Frequency.MONTHLY)
    portfolio = make_portfolio(user)
    db.session.add(Review(user_id=user.id, portfolio_id=portfolio.id, reviewer_name="Grace"))
    db.session.commit()
    assert run(mail_app).sent == 1
    # next month's run: the same review is older than the digest that told of it
    (row,) = _digests()
    row.period = "2000-01"
    db.session.commit()
    assert run(mail_app).empty == 1


def test_every_digest_has_a_one_click_unsubscribe(mail_app, smtp):
    user = subscriber()
    capture(user)
    run(mail_app)
    (message,) = smtp.wait_for(1)
    header = str(message["List-Unsubscribe"]).strip()  # folded: a long line
    assert header.startswith("<https://cpd.example.org/reminders/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    address = header.strip("<>")
    assert address in text_of(message) and address in html_of(message)


def test_an_unreachable_mail_server_leaves_the_digest_for_the_next_run(
    app_factory, upload_dir, smtp
):
    down = app_factory(UPLOAD_DIR=str(upload_dir), **{**smtp.config(), "MAIL_PORT": 9})
    with down.app_context():
        user = subscriber()
        capture(user)
        with pytest.raises(ConnectionRefusedError):
            run(down)
        assert [row.state for row in _digests()] == [DigestState.CLAIMED]
    up = app_factory(UPLOAD_DIR=str(upload_dir), **smtp.config())
    with up.app_context():
        assert run(up).sent == 1
        smtp.wait_for(1)
