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
