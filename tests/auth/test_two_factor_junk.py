"""No input to the two-factor forms, however strange, answers 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.auth.two_factor_helpers import password_step, turn_on
from tests.test_no_500 import JUNK

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_the_code_step_takes_junk(client, user):
    turn_on(user)
    password_step(client, user, factories.PASSWORD)

    @SETTINGS
    @given(st.fixed_dictionaries({"code": JUNK}))
    def check(data):
        assert client.post("/account/login/code", data=data).status_code == 200

    check()


@pytest.mark.parametrize(
    ("path", "fields", "on"),
    [
        ("/account/two-factor/setup", ["code"], False),
        ("/account/two-factor/recovery-codes", ["code"], True),
        ("/account/two-factor/disable", ["password", "code"], True),
    ],
)
def test_the_account_forms_take_junk(client, user, path, fields, on):
    client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    if on:
        turn_on(user)

    @SETTINGS
    @given(st.fixed_dictionaries(dict.fromkeys(fields, JUNK)))
    def check(data):
        assert client.post(path, data=data).status_code in (200, 400)

    check()
