"""The concurrent-writer run, shortened: the app under gunicorn as README deploys it, 4 clients
logging and editing activities with tags through the real forms at once; nothing lost, no 5xx.

On PostgreSQL (CPD_LOG_TEST_DATABASE_URL) it runs on a fresh database of that server; otherwise
on a SQLite file. `python -m bench.concurrent_writers` is the full run (8 × 200)."""

from bench.concurrent_writers import deployed_app, run_writers
from bench.databases import fresh_database
from tests.database import TEST_DATABASE_URL


def test_concurrent_writers_under_gunicorn_lose_nothing_and_never_500():
    with (
        fresh_database(TEST_DATABASE_URL or None, "test_writers") as url,
        deployed_app(url, workers=2) as base,
    ):
        alone = run_writers(base, url, clients=4, writes=25, tabs=1, name="alone")
        # Two sessions of each user edit the same activities: some saves are refused (409),
        # none overwrites a save it did not see.
        tabs = run_writers(base, url, clients=4, writes=25, tabs=2, name="tabs")
    assert alone["attempted"] == tabs["attempted"] == 100
    for figures in (alone, tabs):
        assert figures["5xx"] == figures["other answers"] == figures["lost"] == 0, figures
    assert alone["succeeded"] == 100, alone
    assert tabs["succeeded"] + tabs["conflicts (409)"] == 100, tabs
