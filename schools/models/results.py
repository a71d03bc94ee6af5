"""Results of schools: the measures, the imports, the values per school and year."""

from django.conf import settings
from django.db import models

from .registry import School


class Measure(models.Model):
    """What a result value means: ЕГЭ Russian mean score, ОГЭ mathematics participants, …"""

    class Exam(models.TextChoices):
        EGE = "ege", "ЕГЭ"
        OGE = "oge", "ОГЭ"
        VPR = "vpr", "ВПР"
        OTHER = "other", "иное"

    class Metric(models.TextChoices):
        PARTICIPANTS = "participants", "приняли участие, чел."
        BELOW_MIN = "below_min", "не преодолели минимальный порог, чел."
        HIGH_80_99 = "high_80_99", "80–99 баллов, чел."
        SCORE_100 = "score_100", "100 баллов, чел."
        MEAN_SCORE = "mean_score", "средний балл"
        APPLICANTS = "applicants", "подали заявления, чел."
        GRADUATES = "graduates", "выпускников, чел."
        MARK_5 = "mark_5", "получили «5», чел."
        AT_BOUNDARY = "at_boundary", "набрали ровно границу отметки, чел."
        TERM_MEAN = "term_mean", "средняя отметка за четверть (год)"
        WINNERS = "winners", "победители и призёры, чел."
        VALUE = "value", "значение"

    code = models.SlugField("код", max_length=80, unique=True)
    name = models.CharField("название", max_length=300)
    exam = models.CharField("процедура", max_length=8, choices=Exam.choices, default=Exam.OTHER)
    subject = models.CharField("предмет", max_length=120, blank=True)
    metric = models.CharField("показатель", max_length=16, choices=Metric.choices, default=Metric.VALUE)
    unit = models.CharField("единица", max_length=32, blank=True)

    class Meta:
        verbose_name = "измеряемый результат"
        verbose_name_plural = "измеряемые результаты"
        ordering = ["exam", "subject", "metric"]

    def __str__(self):
        return self.name


class ResultImport(models.Model):
    """One imported file of results: who, when, which file, how many values."""

    file_name = models.CharField("файл", max_length=300)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True
    )
    imported_at = models.DateTimeField("загружен", auto_now_add=True)
    years = models.CharField("годы", max_length=100, blank=True)
    value_count = models.PositiveIntegerField("значений", default=0)
    school_count = models.PositiveIntegerField("школ", default=0)
    summary = models.TextField("итог", blank=True)

    class Meta:
        verbose_name = "загрузка результатов"
        verbose_name_plural = "загрузки результатов"
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d.%m.%Y})"


class SchoolResult(models.Model):
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField("год")
    measure = models.ForeignKey(Measure, verbose_name="результат", on_delete=models.PROTECT, related_name="values")
    value = models.FloatField("значение")
    source = models.ForeignKey(
        ResultImport, verbose_name="загрузка", on_delete=models.SET_NULL, null=True, blank=True, related_name="values"
    )

    class Meta:
        verbose_name = "результат школы"
        verbose_name_plural = "результаты школ"
        ordering = ["school__short_name", "year", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "measure"], name="result_unique_school_year_measure")
        ]
        indexes = [models.Index(fields=["year", "measure"], name="result_year_measure")]

    def __str__(self):
        return f"{self.school} {self.year} {self.measure.code} = {self.value}"
