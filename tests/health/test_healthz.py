"""/healthz in process: the database, Redis and the job queue each asked once, 503 naming the
part that failed, no cookie, no cache, outside the rate limits. tests/test_serve.py runs it
under gunicorn."""

import redis

from cpd_log import create_app
from tests.test_deployment import REDIS_URL, free_port


def test_healthy_answers_200_with_one_select_and_no_cookie(app, client, count_queries):
    with app.app_context(), count_queries() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert [s.strip() for s in statements] == ["SELECT 1"]


def test_a_database_that_cannot_be_opened_answers_503(upload_dir, tmp_path):
    missing = tmp_path / "no-such-folder" / "cpd_log.sqlite"
    overrides = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}", "UPLOAD_DIR": str(upload_dir)}
    app = create_app("testing", overrides=overrides)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failed", "database": "failed", "queue": "ok"}


def test_redis_is_pinged_when_it_stores_the_rate_limits(app_factory, upload_dir):
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()  # the suite needs Redis
    app = app_factory(RATELIMIT_STORAGE_URI=REDIS_URL, UPLOAD_DIR=str(upload_dir))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok", "queue": "ok"}


def test_a_stopped_redis_answers_503_naming_redis(app_factory, upload_dir):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    app = app_factory(RATELIMIT_STORAGE_URI=url, UPLOAD_DIR=str(upload_dir))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "failed",
        "database": "ok",
        "redis": "failed",
        "queue": "ok",
    }


def test_not_held_to_the_default_rate_limits(app_factory, upload_dir):
    app = app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute", UPLOAD_DIR=str(upload_dir)
    )
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    # The same limit does hold an ordinary page, so the exemption is what lets /healthz through.
    assert [client.get("/account/login").status_code for _ in range(3)][-1] == 429


def test_the_queue_is_asked_on_its_sqlite_file_and_on_redis(app_factory, upload_dir, tmp_path):
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()  # the suite needs Redis
    for url in (f"sqlite:///{tmp_path / 'queue.sqlite'}", REDIS_URL):
        app = app_factory(QUEUE_URL=url, UPLOAD_DIR=str(upload_dir))
        response = app.test_client().get("/healthz")
        assert response.status_code == 200, url
        assert response.get_json()["queue"] == "ok"


def test_a_queue_nobody_answers_for_is_503_naming_the_queue(app_factory, upload_dir, tmp_path):
    for url in (
        f"redis://127.0.0.1:{free_port()}/0",  # nobody listens there
        f"sqlite:///{tmp_path / 'a-file' / 'queue.sqlite'}",  # its folder is a file below
    ):
        app = app_factory(QUEUE_URL=url, UPLOAD_DIR=str(upload_dir))
        if url.startswith("sqlite"):  # the queue's file is made at its first use, the probe's
            (tmp_path / "a-file").write_text("not a folder")
        response = app.test_client().get("/healthz")
        assert response.status_code == 503, url
        assert response.get_json() == {"status": "failed", "database": "ok", "queue": "failed"}
