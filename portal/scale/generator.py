"""`generate`: the steps in their order, and the generator that carries what one step made to the next."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from schools.models import Municipality, School

from .identification import IdentificationMixin
from .monitoring import MonitoringMixin
from .partnerships import PartnershipsMixin
from .people import PeopleMixin
from .programmes import ProgrammesMixin
from .registry import RegistryMixin
from .writer import Progress, RowWriter, model_label


class ScaleError(Exception):
    """The database is not fit for generation; the message is for the user, in Russian."""


def generate(*, schools: int, seed: int = 1, today: datetime.date | None = None, out=None) -> dict[str, int]:
    """Fill an empty database with `schools` schools and everything around them; returns counts by table."""
    if schools < 10:
        raise ScaleError("Нужно не меньше 10 школ.")
    if School.objects.exists() or Municipality.objects.exists():
        raise ScaleError(
            "В базе уже есть школы или муниципалитеты: генератор заполняет только пустую базу. "
            "Очистите её (manage.py flush) или укажите другую базу (DATABASE_URL)."
        )
    progress = Progress(out)
    today = today or timezone.localdate()
    generator = _Generator(schools=schools, seed=seed, today=today, progress=progress)
    with transaction.atomic():
        generator.registry()
    generator.identification()
    with transaction.atomic():
        generator.people()
        generator.programmes()
        generator.partnerships()
        generator.monitoring()
        generator.writer.finish()
    counts = {model_label(m): n for m, n in generator.writer.counts.items()}
    progress(f"Готово: {sum(counts.values()):,} строк".replace(",", " "))
    return counts


class _Generator(RegistryMixin, IdentificationMixin, PeopleMixin, ProgrammesMixin, PartnershipsMixin, MonitoringMixin):
    """One run: one random source, one row writer, and the records the steps share. Each step is a mixin in a module
    of its own (registry, identification, people, programmes, partnerships, monitoring) and reads what the earlier
    ones left here: the steps must run in the order of `generate`, or the random draws, and so the data, change."""

    def __init__(self, *, schools: int, seed: int, today: datetime.date, progress: Progress):
        self.n = schools
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.writer = RowWriter()
        # School years by the calendar year they end in: the one under way, and three finished ones before it.
        self.current_year = today.year + 1 if today.month >= 9 else today.year
        self.years = [self.current_year - 3, self.current_year - 2, self.current_year - 1]
        self.schools: list[dict] = []  # id, municipality_id, kind, locality, quality (latest), name
        self.municipalities: list[dict] = []
