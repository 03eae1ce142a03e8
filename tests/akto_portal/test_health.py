"""/healthz, and a database outage: a French 503 page, a JSON 503 under /api/, and the
portal answering again by itself when the database is back."""

import contextlib
import io
import json
import sqlite3
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from django.urls import reverse

from akto_portal import health

CLOSED_PORT = "1"  # nothing listens there: connections are refused at once


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_while_a_migration_is_pending(client, monkeypatch):
    class OneMigrationBehind:
        def __init__(self, connection):
            self.loader = type("Loader", (), {"graph": type("G", (), {"leaf_nodes": list})()})

        def migration_plan(self, targets):
            return [("akto_portal", False)]

    monkeypatch.setattr(health, "MigrationExecutor", OneMigrationBehind)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["checks"]["migrations"] == "1 pending"


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_fails(client, monkeypatch):
    class DownCache:
        def set(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(health, "cache", DownCache())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["checks"]["cache"] == "unavailable"


def wsgi_get(handler, path, cookie=""):
    """GET through Django's WSGI handler as gunicorn calls it: request_started and
    request_finished fire, so kept connections are checked and closed as in production
    (the test client skips that)."""
    environ = {
        "PATH_INFO": path,
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.input": io.BytesIO(),
    }
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    result = handler(environ, start_response)
    try:
        body = b"".join(result).decode()
    finally:
        result.close()
    return answer["status"], answer["headers"], body


@contextlib.contextmanager
def database_down(monkeypatch):
    """PostgreSQL: the portal's connection is killed and the server refuses new ones.
    SQLite (in memory for the tests): every query fails as on an unreadable file."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = (
            "127.0.0.1",
            CLOSED_PORT,
        )
        try:
            yield
        finally:
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved
    else:

        def unreadable(self, *args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        with monkeypatch.context() as patch:
            patch.setattr(SQLiteCursorWrapper, "execute", unreadable)
            yield


@pytest.mark.django_db(transaction=True)
def test_database_outage_gives_503_and_the_portal_recovers_by_itself(
    reference_data, client, director, monkeypatch
):
    client.force_login(director)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    handler = WSGIHandler()
    page, api = reverse("event-list"), reverse("api-events-summary")
    assert wsgi_get(handler, page, cookie)[0] == 200

    with database_down(monkeypatch):
        for _ in range(2):  # the killed connection, then a refused one
            status, headers, html = wsgi_get(handler, page, cookie)
            assert status == 503
            assert "Service momentanément indisponible" in html
            assert headers["Retry-After"] == "30"
            assert "Content-Security-Policy" in headers

        status, headers, body = wsgi_get(handler, api, cookie)
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert "la base de données ne répond pas" in json.loads(body)["detail"]

        status, _, body = wsgi_get(handler, "/healthz")
        assert status == 503
        assert json.loads(body)["checks"]["database"] == "unavailable"

    # The database is back: the same process answers again, no restart.
    status, _, html = wsgi_get(handler, page, cookie)
    assert status == 200
    assert "Événements" in html
    assert wsgi_get(handler, api, cookie)[0] == 200
    assert wsgi_get(handler, "/healthz")[0] == 200
