"""The signed-in user comes from the shared cache (REDIS_URL) instead of a query at every
request, and a change to the account takes effect at the next request all the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
SHARED = {"REDIS_URL": "redis://cache.example:6379/1"}  # only read as "shared or not"


def _user_queries(client, path="/evenements/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # The user of the request: the model backend's `.get(pk=…)` (LIMIT 21).
    return response, [
        sql
        for sql in (q["sql"] for q in queries.captured_queries)
        if 'FROM "akto_portal_user"' in sql and sql.endswith("LIMIT 21")
    ]


def test_with_a_shared_cache_the_user_is_read_once(client, director, settings):
    settings.REDIS_URL = SHARED["REDIS_URL"]
    client.force_login(director)
    response, first = _user_queries(client)
    assert response.status_code == 200 and response.wsgi_request.user == director
    assert len(first) == 1
    response, second = _user_queries(client)
    assert response.status_code == 200 and response.wsgi_request.user == director
    assert second == []  # from the cache


def test_without_a_shared_cache_the_user_is_read_at_every_request(client, director, settings):
    settings.REDIS_URL = ""
    client.force_login(director)
    for _ in range(2):
        response, queries = _user_queries(client)
        assert response.wsgi_request.user == director
        assert len(queries) == 1


def test_a_deactivated_user_is_out_at_the_next_request(client, director, settings):
    settings.REDIS_URL = SHARED["REDIS_URL"]
    client.force_login(director)
    assert client.get("/evenements/").wsgi_request.user == director  # now cached

    director.is_active = False
    director.save()

    response = client.get("/evenements/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert not response.wsgi_request.user.is_authenticated


def test_a_changed_role_and_region_show_at_the_next_request(client, director, bretagne, settings):
    settings.REDIS_URL = SHARED["REDIS_URL"]
    client.force_login(director)
    assert client.get("/evenements/").wsgi_request.user.region.name == "Normandie"

    director.region = bretagne
    director.save()

    assert client.get("/evenements/").wsgi_request.user.region.name == "Bretagne"


def test_a_deleted_user_is_out_at_the_next_request(client, director, settings):
    settings.REDIS_URL = SHARED["REDIS_URL"]
    client.force_login(director)
    assert client.get("/evenements/").wsgi_request.user == director
    director.delete()
    assert not client.get("/evenements/").wsgi_request.user.is_authenticated
