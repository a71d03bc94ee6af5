"""Writing many rows: a buffer per model, written in batches by PostgreSQL COPY (bulk insert on other databases),
and the progress lines of a run."""

import io
import time
from collections import defaultdict

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from shnor_portal.pg_copy import copy_from, copy_text

FLUSH_ROWS = 50_000


class RowWriter:
    """Buffers rows per model (as dicts by attname, with the id set here) and writes them by COPY or bulk insert.

    Ids are assigned from the table's current maximum, so related rows can point at each other before they are
    written; the sequences are moved past them at the end (`finish`).
    """

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.buffers: dict[type, list[dict]] = defaultdict(list)
        self.next_ids: dict[type, int] = {}
        self.counts: dict[type, int] = defaultdict(int)
        self.order: list[type] = []

    def new_id(self, model) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, model, **row) -> int:
        if "id" not in row:
            row["id"] = self.new_id(model)
        if model not in self.buffers:
            self.order.append(model)
        buffer = self.buffers[model]
        buffer.append(row)
        self.counts[model] += 1
        if len(buffer) >= FLUSH_ROWS:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        """Write every buffered row, parents first (models in the order they were first added)."""
        for model in self.order:
            rows = self.buffers.get(model)
            if rows:
                self._write(model, rows)
                self.buffers[model] = []

    def _fields(self, model):
        return [f for f in model._meta.concrete_fields]

    def _value(self, field, row):
        if field.attname in row:
            return row[field.attname]
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            return self.now
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            return self.now.date()
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField | models.FileField):
            return ""
        raise ValueError(f"{model_label(field.model)}.{field.attname}: no value")

    def _write(self, model, rows: list[dict]) -> None:
        fields = self._fields(model)
        if not self.copy:
            model.objects.bulk_create(
                [model(**{f.attname: self._value(f, row) for f in fields}) for row in rows], batch_size=2000
            )
            return
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(copy_text(self._value(f, row)) for f in fields))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            copy_from(cursor, f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN",
                      buffer.getvalue())

    def finish(self) -> None:
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), self.order)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def model_label(model) -> str:
    return model._meta.label


class Progress:
    """Prints a line of the run's progress, with the seconds since its start, when given an `out`."""

    def __init__(self, out):
        self.out = out
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        if self.out:
            self.out(f"[{time.perf_counter() - self.started:6.1f} с] {text}")
