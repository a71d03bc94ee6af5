import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_make_test_asked_for():
    expected = os.environ.get("EXPECT_DATABASE_VENDOR")
    if not expected:
        pytest.skip("EXPECT_DATABASE_VENDOR не задана: набор запущен не через `make test`")
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    if expected == "postgresql":
        assert connection.pg_version >= 150000


@pytest.mark.django_db(transaction=True)
def test_postgresql_goes_through_psycopg_3_and_a_pool_that_lends_connections_back(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("пул соединений — только у PostgreSQL")
    assert connection.Database.__name__ == "psycopg"
    pool = connection.pool
    assert pool is not None and pool.max_size >= 1
    connection.ensure_connection()
    connection.close()  # the end of a request: the connection goes back to the pool, open
    opened = pool.get_stats()["connections_num"]
    sessions = set()
    for _request in range(5):
        connection.ensure_connection()
        sessions.add(connection.connection.info.backend_pid)
        connection.close()
    assert pool.get_stats()["connections_num"] == opened  # five requests, no new session
    assert len(sessions) <= pool.max_size


@pytest.mark.django_db
def test_copy_writes_and_reads_rows_through_psycopg_3():
    from schools.models import Measure
    from shnor_portal.pg_copy import copy_from, copy_to, number_rows

    if connection.vendor != "postgresql":
        pytest.skip("COPY — только у PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copy_probe (n bigint, x double precision, t text)")
        copy_from(cursor, "COPY copy_probe (n, x, t) FROM STDIN", "1\t0.1\tраз\n2\t\\N\tдва\\tтри\n")
        assert copy_to(cursor, "COPY copy_probe TO STDOUT").decode() == "1\t0.1\tраз\n2\t\\N\tдва\\tтри\n"
    Measure.objects.create(code="probe-1", name="проба", exam="other")
    rows = number_rows(Measure.objects.filter(code__startswith="probe-").values_list("pk", "pk"), columns=2)
    assert rows.shape == (1, 2) and rows[0][0] == rows[0][1]
