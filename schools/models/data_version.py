"""The state token of the data (`schools.freshness`)."""

from django.db import models


class DataVersion(models.Model):
    """One row: the state token of the portal's data, new after every committed change (`schools.freshness`)."""

    token = models.CharField("состояние данных", max_length=32)
    changed_at = models.DateTimeField("изменены", auto_now=True)

    class Meta:
        verbose_name = "версия данных"
        verbose_name_plural = "версия данных"

    def __str__(self):
        return self.token
