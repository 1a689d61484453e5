"""Open Badges 2.0: JSON and baked PNG, hosted verification against a local server, bad files."""

import io
import json
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.imports.badge_files import BadgeError, read_badge_file
from cpd_log.models import Activity, ActivityKind, BadgeAssertion
from cpd_log.models.activity import ActivitySource
from tests import factories
from tests.imports.badge_helpers import assertion_for, baked_png, count, upload


def test_hosted_json_badge_is_verified_and_logged_as_a_badge(badge_client, issuer):
    framework = factories.make_framework()
    leaf = factories.leaves(framework)[0]
    alignment = [{"targetName": leaf.name, "targetCode": leaf.code, "targetUrl": "https://x.org"}]
    assertion = assertion_for(issuer, alignment)
    response = upload(badge_client, json.dumps(assertion).encode())
    activity = db.session.scalar(select(Activity))
    assert response.headers["Location"] == f"/activities/{activity.id}"
    assert activity.source is ActivitySource.BADGE
    assert activity.external_uid == assertion["id"]
    assert (activity.title, activity.provider) == ("Risk Management Practitioner", "PMO Academy")
    assert (activity.start_date, activity.minutes) == (date(2026, 2, 14), 720)
    assert activity.kind is ActivityKind.COURSE
    assert activity.url == "https://pmo-academy.example.org/criteria/risk"
    assert [c.id for c in activity.competencies] == [leaf.id]
    evidence = db.session.scalar(select(BadgeAssertion))
    assert evidence.activity_id == activity.id
    assert evidence.verified and evidence.verification == "hosted"
    assert evidence.issuer_url == "https://pmo-academy.example.org"
    assert evidence.alignment[0]["targetCode"] == leaf.code
    page = badge_client.get(f"/activities/{activity.id}").data.decode()
    assert 'data-testid="badge-evidence"' in page
    assert "verified with the issuer" in page


def test_baked_png_carrying_the_assertion(badge_client, issuer):
    assertion = assertion_for(issuer)
    response = upload(badge_client, baked_png(json.dumps(assertion)), "badge.png")
    assert response.status_code == 302
    assert db.session.scalar(select(BadgeAssertion.verified)) is True


def test_baked_png_carrying_only_the_assertion_url(badge_client, issuer):
    assertion = assertion_for(issuer)
    assert upload(badge_client, baked_png(assertion["id"]), "badge.png").status_code == 302
    assert count() == 1


def test_the_same_badge_twice_is_refused(badge_client, issuer):
    data = json.dumps(assertion_for(issuer)).encode()
    upload(badge_client, data)
    response = upload(badge_client, data)
    assert "is already in your log" in response.data.decode()
    assert count() == 1


def test_a_badge_the_issuer_no_longer_vouches_for(badge_client, issuer):
    assertion = assertion_for(issuer)
    issuer.serve("/assertions/123.json", {**assertion, "revoked": True})
    response = upload(badge_client, json.dumps(assertion).encode())
    assert "revoked" in response.data.decode()
    issuer.serve("/assertions/123.json", {}, status=404)
    assert "answered 404" in upload(badge_client, json.dumps(assertion).encode()).data.decode()
    assert count() == 0 and count(BadgeAssertion) == 0


def test_a_slow_issuer_times_out_with_a_message(badge_client, issuer):
    assertion = assertion_for(issuer)
    issuer.delay = 1.5
    response = upload(badge_client, json.dumps(assertion).encode())
    assert "did not answer in time" in response.data.decode()
    assert count() == 0


def test_private_addresses_are_not_fetched_by_default(logged_in, issuer):
    """Without the test-only switch, a badge pointing at this machine is refused (SSRF)."""
    response = upload(logged_in, json.dumps(assertion_for(issuer)).encode())
    assert "private address" in response.data.decode()
    assert count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not json", "This file is plain text, not an Open Badge"),
        (b"[1, 2, 3]", "This JSON is a list or a value, not a badge"),
        (b'{"type": "BadgeClass", "name": "x"}', "This JSON is neither an Open Badges 2.0"),
        (
            baked_png("{not json"),
            "The badge JSON inside this PNG image is not valid: line 1 column 2",
        ),
        (baked_png("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), "The JSON in this PNG image is neither"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged"),
    ],
    ids=["text", "json-list", "badgeclass", "png-bad-json", "png-jws", "png-broken"],
)
def test_bad_badge_files_get_a_message_and_create_nothing(logged_in, data, message):
    response = upload(logged_in, data)
    assert response.status_code == 200
    assert message in response.data.decode()
    assert count() == 0


def test_plain_png_without_a_badge():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    with pytest.raises(BadgeError, match="This PNG image carries no Open Badge"):
        read_badge_file(out.getvalue())


def test_embedded_unhosted_badge_is_kept_as_unverified(logged_in):
    assertion = {
        "type": "Assertion",
        "id": "urn:uuid:2f0a3c4e-0000-4000-8000-000000000001",
        "badge": {"type": "BadgeClass", "name": "Facilitation", "issuer": {"name": "Guild"}},
        "issuedOn": "2026-01-20",
        "verification": {"type": "SignedBadge"},
    }
    response = upload(logged_in, json.dumps(assertion).encode(), hours="1:30")
    assert response.status_code == 302
    evidence = db.session.scalar(select(BadgeAssertion))
    assert not evidence.verified
    assert db.session.scalar(select(Activity.minutes)) == 90
    assert "not verified" in logged_in.get(response.headers["Location"]).data.decode()


def test_hours_are_required(logged_in):
    response = upload(logged_in, b"{}", hours="")
    assert "Enter the hours the badge took" in response.data.decode()
