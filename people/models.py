"""People and their accounts: what the portal keeps about logging in, beyond Django's user.

`LoginThrottle` counts the wrong passwords typed for one username from any address:
django-axes locks a username on one address; this row slows down a guesser who changes addresses
(docs/PRODUCTION.md «Защита входа»).
"""

from django.db import models


class LoginThrottle(models.Model):
    username = models.CharField("имя пользователя", max_length=150, unique=True)
    failures = models.PositiveIntegerField("неудачных попыток подряд", default=0)
    last_failure_at = models.DateTimeField("последняя неудачная попытка", null=True, blank=True)
    locked_until = models.DateTimeField("вход закрыт до", null=True, blank=True)

    class Meta:
        verbose_name = "счётчик неудачных входов"
        verbose_name_plural = "счётчики неудачных входов"

    def __str__(self):
        return f"{self.username}: {self.failures}"
