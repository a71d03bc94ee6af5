"""Values in the text format of PostgreSQL's COPY, for the writers of many rows (the scale generator, the
identification's verdicts), and number rows read by COPY into arrays (the identification's inputs and its ВПР signs).
"""

import datetime
import io
import json

import numpy as np
from django.db import connection


def copy_text(value) -> str:
    """One field: NULL as \\N, booleans as t/f, dates in ISO, dicts and lists as JSON; backslash, tab and line
    breaks escaped."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, float):
        return repr(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def number_rows(queryset, *, columns: int) -> np.ndarray:
    """The rows of a values_list of numbers as one array, NaN for NULL. PostgreSQL sends them by COPY, which
    numpy parses in C: half the time of a million rows fetched as Python tuples. Floats come back exact (shortest
    round-trip text, PostgreSQL 12 and later)."""
    if connection.vendor == "postgresql":
        sql, params = queryset.query.sql_with_params()
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            cursor.copy_expert(cursor.mogrify(f"COPY ({sql}) TO STDOUT", params).decode(), buffer)
        if not buffer.tell():
            return np.empty((0, columns))
        text = buffer.getvalue().replace("\\N", "nan")
        return np.loadtxt(io.StringIO(text), delimiter="\t", dtype=np.float64, ndmin=2)
    rows = list(queryset.iterator(chunk_size=20000))
    return np.array(rows, dtype=np.float64).reshape(-1, columns)
