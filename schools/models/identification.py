"""Identification and the list: criteria, settings, runs, verdicts, changes of the list, statuses per year."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from shnor_portal import jobs

from ..school_year import list_label, school_year_label
from ..verdicts import OBJECTIVITY_LINES, Parameters, Status, latest_oip, low_criteria_rows, verdict_text
from .registry import Municipality, Region, School
from .results import Measure


class Criterion(models.Model):
    """One identification criterion for one year; the department edits them in the back office."""

    class Kind(models.TextChoices):
        RESULTS = "results", "образовательные результаты (→ ШНОР)"
        SOCIAL = "social", "социальный контекст (→ ШНСУ)"

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher_better", "чем больше, тем лучше"
        HIGHER_WORSE = "higher_worse", "чем больше, тем хуже"

    class Rule(models.TextChoices):
        THRESHOLD = "threshold", "фиксированный порог"
        PERCENTILE = "percentile", "доля худших в группе сравнения, %"
        ZSCORE = "zscore", "отклонение от среднего группы (z-оценка)"

    class CompareWithin(models.TextChoices):
        CLUSTER = "cluster", "в своём кластере (внутри региона)"
        ALL = "all", "среди всех школ региона"

    class ProfileField(models.TextChoices):
        LOW_INCOME = "share_low_income", "доля детей из малообеспеченных семей, %"
        SINGLE_PARENT = "share_single_parent", "доля детей из неполных семей, %"
        ON_REGISTER = "share_on_register", "на учёте в КДН/ПДН на 100 обучающихся"
        SPECIAL_NEEDS = "share_special_needs", "доля обучающихся с ОВЗ, %"
        PARENTS_HIGHER_EDUCATION = "share_parents_higher_education", "доля родителей с высшим образованием, %"
        VACANCIES = "share_vacancies", "доля вакансий педагогов, %"
        PARENTS_EDUCATED = "share_parents_educated", "доля родителей с высшим или средним специальным образованием, %"
        ZPR = "share_zpr", "доля обучающихся с ЗПР, %"
        DIFFICULT_SITUATION = "share_difficult_situation", "доля детей из семей в трудной жизненной ситуации, %"
        HAS_ON_REGISTER = "has_on_register", "есть обучающиеся на учёте в КДН/ПДН (1 — да, 0 — нет)"
        LEFT = "share_left", "выбыло обучающихся за год на 100 обучающихся"
        REMOTE_SMALL_RURAL = "remote_small_rural", "малокомплектная удалённая сельская школа (1 — да, 0 — нет)"

    region = models.ForeignKey(Region, verbose_name="регион", on_delete=models.PROTECT, related_name="criteria")
    year = models.PositiveSmallIntegerField("год")
    code = models.SlugField("код", max_length=64)
    name = models.CharField("название", max_length=300)
    kind = models.CharField("вид", max_length=8, choices=Kind.choices)
    measure = models.ForeignKey(
        Measure, verbose_name="результат", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Для критериев по результатам: значение берётся из загруженных результатов.",
    )
    per_measure = models.ForeignKey(
        Measure, verbose_name="в расчёте на", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Если указано, критерий — доля в процентах: результат / этот показатель × 100.",
    )
    profile_field = models.CharField(
        "поле профиля школы", max_length=40, choices=ProfileField.choices, blank=True,
        help_text="Для критериев социального контекста: значение берётся из профиля школы за год.",
    )
    unit = models.CharField("единица", max_length=32, default="%")
    direction = models.CharField("направление", max_length=16, choices=Direction.choices)
    weight = models.FloatField("вес", default=1.0, validators=[MinValueValidator(0)])
    rule = models.CharField("правило «низкого» значения", max_length=16, choices=Rule.choices, default=Rule.PERCENTILE)
    line = models.FloatField(
        "граница",
        help_text="Порог: значение-граница; доля худших: процент (например, 20); z-оценка: число σ (например, 1).",
    )
    compare_within = models.CharField(
        "группа сравнения", max_length=8, choices=CompareWithin.choices, default=CompareWithin.CLUSTER
    )
    scale_worst = models.FloatField(
        "значение худшего (0 баллов)", null=True, blank=True,
        help_text="Для абсолютного индекса: значение, которому соответствует 0 баллов.",
    )
    scale_best = models.FloatField(
        "значение лучшего (100 баллов)", null=True, blank=True,
        help_text="Для абсолютного индекса: значение, которому соответствует 100 баллов.",
    )
    is_active = models.BooleanField("действует", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "критерий идентификации"
        verbose_name_plural = "критерии идентификации"
        ordering = ["-year", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "code"], name="criterion_unique_code_in_region_year")
        ]

    def __str__(self):
        return f"{self.year}: {self.name}"

    def clean(self):
        if self.kind == self.Kind.RESULTS and not (self.measure_id or self.profile_field):
            raise ValidationError({"measure": "Для критерия по результатам укажите результат или поле профиля."})
        if self.kind == self.Kind.SOCIAL and not (self.profile_field or self.measure_id):
            raise ValidationError({"profile_field": "Укажите поле профиля школы или результат."})
        if self.rule == self.Rule.PERCENTILE and not 0 < self.line < 100:
            raise ValidationError({"line": "Доля худших задаётся в процентах: больше 0 и меньше 100."})
        if self.rule == self.Rule.ZSCORE and self.line <= 0:
            raise ValidationError({"line": "Число σ для z-оценки должно быть больше нуля."})
        if (self.scale_worst is None) != (self.scale_best is None):
            raise ValidationError({"scale_best": "Для абсолютной шкалы укажите оба значения: худшее и лучшее."})
        if self.scale_worst is not None and self.scale_worst == self.scale_best:
            raise ValidationError({"scale_best": "Худшее и лучшее значения шкалы должны различаться."})


class IdentificationSettings(models.Model):
    """The lines of a year's identification; defaults are those of seed 002 (ОИП 21, social index 42.7)."""

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="identification_settings"
    )
    year = models.PositiveSmallIntegerField("год")
    oip_threshold = models.FloatField(
        "порог ОИП", default=21, help_text="Школа с интегральным показателем ниже порога — с низкими результатами за год."
    )
    social_threshold = models.FloatField(
        "порог индекса социального благополучия", default=42.7,
        help_text="Школа с индексом ниже порога — в неблагоприятных социальных условиях за год.",
    )
    window_years = models.PositiveSmallIntegerField("окно, лет", default=3, validators=[MinValueValidator(1)])
    min_low_years = models.PositiveSmallIntegerField(
        "низких лет в окне", default=2, validators=[MinValueValidator(1)],
        help_text="Сколько лет из окна школа должна быть ниже порога, чтобы попасть в перечень.",
    )
    min_result_years = models.PositiveSmallIntegerField(
        "лет с результатами для решения ШНОР", default=2, validators=[MinValueValidator(1)],
        help_text="Со стольких лет окна должны быть результаты, чтобы школу можно было включить в ШНОР; "
        "при меньшем числе — «недостаточно данных», а при низких результатах — отметка «на контроле».",
    )
    index_scale = models.CharField(
        "шкала ОИП", max_length=8, default="relative",
        choices=[
            ("relative", "относительная: место школы среди школ группы"),
            ("absolute", "абсолютная: значение между границами критерия"),
        ],
    )
    preventive_drop = models.FloatField(
        "падение ОИП для профилактики", default=10,
        help_text="Школа выше порога, чей ОИП за окно упал на столько пунктов, получает профилактическую отметку.",
    )
    preventive_margin = models.FloatField(
        "запас над порогом для профилактики", default=15,
        help_text="Профилактическая отметка ставится, только если ОИП не выше порога + запас.",
    )
    curator_threshold = models.FloatField(
        "ОИП кандидата в кураторы", default=75, help_text="Школы с ОИП не ниже этого значения — кандидаты в школы-кураторы."
    )
    # The lines of the signs of non-objective ВПР (`schools.objectivity`): a sign when the value reaches its line.
    vpr_oge_gap = models.FloatField(
        "ВПР: средняя отметка выше средней отметки ОГЭ на", default=1.0, validators=[MinValueValidator(0)]
    )
    vpr_top_share_ratio = models.FloatField(
        "ВПР: доля «5» выше, чем у остальных школ региона, во столько раз", default=2.5,
        validators=[MinValueValidator(1)],
    )
    vpr_top_share_min = models.FloatField(
        "ВПР: и при этом доля «5» не ниже, %", default=30, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    vpr_boundary_share = models.FloatField(
        "ВПР: ровно на границе отметки, % участников", default=25,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vpr_term_gap = models.FloatField(
        "ВПР: расхождение с четвертными (годовыми) отметками на", default=0.8, validators=[MinValueValidator(0)]
    )
    vpr_ege_rank_gap = models.FloatField(
        "ВПР: место в регионе по ВПР выше места по ЕГЭ на, пунктов из 100", default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vpr_min_region_schools = models.PositiveSmallIntegerField(
        "ВПР: школ региона для сравнения мест, не менее", default=5, validators=[MinValueValidator(2)]
    )
    vpr_min_participants = models.PositiveSmallIntegerField("ВПР: участников для суждения, не менее", default=10)
    # Issue 20: seeds 000, 002 and 003 are districts' own lists. Off by default: the region forms one list.
    districts_identify = models.BooleanField(
        "районы формируют свои перечни", default=False,
        help_text="Управления образования районов запускают идентификацию по школам своего района (по критериям "
        "региона) и утверждают свой перечень; утверждение перечня региона не меняет статусы школ этих районов.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "параметры идентификации"
        verbose_name_plural = "параметры идентификации"
        ordering = ["-year", "region__name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="identification_settings_unique_region_year")
        ]

    def __str__(self):
        return f"Параметры идентификации {self.year}"

    @classmethod
    def districts_may_identify(cls, region_id: int, year: int) -> bool:
        """The region lets its districts form their own lists of this year."""
        return cls.objects.filter(region_id=region_id, year=year, districts_identify=True).exists()

    def clean(self):
        if self.min_low_years and self.window_years and self.min_low_years > self.window_years:
            raise ValidationError({"min_low_years": "Низких лет не может быть больше, чем лет в окне."})
        if self.min_result_years and self.window_years and self.min_result_years > self.window_years:
            raise ValidationError({"min_result_years": "Лет с результатами не может быть больше, чем лет в окне."})

    @classmethod
    def parameters_for(cls, region_id: int, year: int) -> Parameters:
        """The identification parameters of a region's year: its settings, or the defaults where the department set
        none."""
        stored = cls.objects.filter(region_id=region_id, year=year).first()
        if stored is None:
            return Parameters(year=year)
        return Parameters(
            year=year,
            oip_threshold=stored.oip_threshold,
            social_threshold=stored.social_threshold,
            window_years=stored.window_years,
            min_low_years=stored.min_low_years,
            preventive_drop=stored.preventive_drop,
            preventive_margin=stored.preventive_margin,
            curator_threshold=stored.curator_threshold,
            min_result_years=stored.min_result_years,
            index_scale=stored.index_scale,
            objectivity={line: getattr(stored, name) for name, line in OBJECTIVITY_LINES.items()},
        )


class IdentificationRun(jobs.JobRow):
    """One computation of the list for a year, stored with its inputs so that it can be reproduced."""

    class State(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "выполняется"
        DONE = "done", "готово"
        FAILED = "failed", "ошибка"

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="identification_runs",
        help_text="Запуск охватывает школы одного региона; процентили и кластеры считаются внутри него.",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="район", on_delete=models.PROTECT, null=True, blank=True,
        related_name="identification_runs",
        help_text="Свой перечень района (где регион это разрешил): запуск охватывает только школы района, и "
        "процентили и кластеры считаются внутри него. Пусто — перечень региона.",
    )
    year = models.PositiveSmallIntegerField("год")
    state = models.CharField("состояние", max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    stage = models.CharField("этап", max_length=200, blank=True)
    parameters = models.JSONField("параметры и критерии", default=dict)
    inputs = models.BinaryField("входные данные (сжатые)", editable=False, null=True)
    error = models.TextField("ошибка", blank=True)
    note = models.CharField("комментарий", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="запустил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("запущен", auto_now_add=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="утвердил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    school_count = models.PositiveIntegerField("школ", default=0)
    shnor_count = models.PositiveIntegerField("ШНОР", default=0)
    shnsu_count = models.PositiveIntegerField("ШНСУ", default=0)
    both_count = models.PositiveIntegerField("ШНОР и ШНСУ", default=0)
    preventive_count = models.PositiveIntegerField("профилактика", default=0)
    curator_count = models.PositiveIntegerField("кандидаты в кураторы", default=0)
    no_data_count = models.PositiveIntegerField("недостаточно данных", default=0)
    watch_count = models.PositiveIntegerField("на контроле", default=0)
    objectivity_count = models.PositiveIntegerField("признаки необъективности ВПР", default=0)
    summary = models.JSONField(
        "итоги запуска", default=dict, blank=True,
        help_text="Доля школ не ниже порога ОИП по годам, школы без кластера и без социального паспорта.",
    )
    order_number = models.CharField("номер приказа", max_length=64, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)

    class Meta:
        verbose_name = "запуск идентификации"
        verbose_name_plural = "запуски идентификации"
        ordering = ["-year", "-created_at"]

    def __str__(self):
        return f"Идентификация {self.year} № {self.pk}"

    @staticmethod
    def territory_schools(region_id: int, municipality_id: int | None = None):
        """The schools a run of this territory covers: a district's own, else its region's."""
        if municipality_id is not None:
            return School.objects.filter(municipality_id=municipality_id)
        return School.objects.filter(municipality__region_id=region_id)

    @property
    def schools(self):
        """The schools this run covers (issue 20: a run covers one territory)."""
        return self.territory_schools(self.region_id, self.municipality_id)

    @property
    def territory_name(self) -> str:
        """«Заречный муниципальный район» for a district's own list, the region's name for the region's."""
        return self.municipality.name if self.municipality_id else self.region.name

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def approved_on(self):
        """The day the list was approved: the order's date, else the day it was marked approved."""
        if self.order_date:
            return self.order_date
        return timezone.localtime(self.approved_at).date() if self.approved_at else None

    @property
    def list_name(self) -> str:
        """«перечень 2026 года на 2026/27 учебный год» (`schools.school_year.list_label`)."""
        return list_label(self.year, self.approved_on)

    @property
    def year_label(self) -> str:
        return school_year_label(self.year)



class IdentificationVerdict(models.Model):
    run = models.ForeignKey(IdentificationRun, verbose_name="запуск", on_delete=models.CASCADE, related_name="verdicts")
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="verdicts")
    status = models.CharField("решение", max_length=8, choices=Status.choices)
    oip = models.FloatField("ОИП", null=True, blank=True)
    social_index = models.FloatField("индекс социального благополучия", null=True, blank=True)
    preventive = models.BooleanField("профилактика (отрицательная динамика)", default=False)
    curator_candidate = models.BooleanField("кандидат в кураторы", default=False)
    on_watch = models.BooleanField("на контроле (мало лет с результатами)", default=False)
    objectivity_flag = models.BooleanField("признаки необъективности ВПР", default=False)
    cluster_name = models.CharField("кластер", max_length=200, blank=True)
    explanation = models.JSONField("пояснение", default=dict)

    class Meta:
        verbose_name = "решение идентификации"
        verbose_name_plural = "решения идентификации"
        ordering = ["school__short_name"]
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="verdict_unique_school_in_run")]

    def __str__(self):
        return f"{self.school}: {self.get_status_display()}"

    def explanation_text(self, run: "IdentificationRun | None" = None) -> str:
        """The explanation in words, from the stored indices and the run's parameters."""
        run = run or self.run
        verdict = {
            "status": self.status, "oip": self.oip, "preventive": self.preventive,
            "curator_candidate": self.curator_candidate, "on_watch": self.on_watch, "cluster": self.cluster_name,
            "explanation": self.explanation,
        }  # fmt: skip
        stored = (run.parameters or {}).get("parameters")
        return verdict_text(
            verdict, Parameters.from_stored(stored) if stored else None, (run.parameters or {}).get("criteria")
        )

    @property
    def latest_oip(self) -> tuple[int, float] | None:
        """(year, ОИП) of the last year of the window that has one — the year the table names beside the value."""
        return latest_oip(self.explanation)

    def low_criteria(self, run: "IdentificationRun | None" = None) -> list[dict]:
        """The criteria on which the school was low, in words (the run keeps what each criterion is)."""
        run = run or self.run
        return low_criteria_rows(self.explanation, (run.parameters or {}).get("criteria", []), self.cluster_name)


class ListChange(models.Model):
    """The department's difference from a run: the list (перечень) is the run's verdicts with these applied.

    Seed 002 selects «4 of the 10 identified» for targeted support, seed 004's ministry «формирует перечень»:
    each school added, left out or selected, and each curator school confirmed beyond the rule or removed, carries
    its reason. A coordinator's change is a proposal for their municipality until the department accepts it.
    """

    class Kind(models.TextChoices):
        ADD = "add", "включить в перечень"
        REMOVE = "remove", "исключить из перечня"
        SELECT = "select", "отобрать для адресной поддержки"
        CURATOR_ADD = "curator_add", "включить в список школ-кураторов"
        CURATOR_REMOVE = "curator_remove", "исключить из списка школ-кураторов"

    class State(models.TextChoices):
        PROPOSED = "proposed", "предложение координатора"
        ACCEPTED = "accepted", "принято"
        REJECTED = "rejected", "отклонено"

    run = models.ForeignKey(IdentificationRun, verbose_name="запуск", on_delete=models.CASCADE, related_name="changes")
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="list_changes")
    kind = models.CharField("изменение", max_length=16, choices=Kind.choices)
    status = models.CharField(
        "статус в перечне", max_length=8, blank=True,
        choices=[(Status.SHNOR, Status.SHNOR.label), (Status.SHNSU, Status.SHNSU.label), (Status.BOTH, Status.BOTH.label)],
        help_text="Для включения школы, которую расчёт не включил.",
    )
    reason = models.TextField("основание")
    state = models.CharField("состояние", max_length=8, choices=State.choices, default=State.ACCEPTED)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("внесено", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="решение принял", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("решение принято", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "изменение перечня"
        verbose_name_plural = "изменения перечня"
        ordering = ["run", "school__short_name", "kind"]
        constraints = [models.UniqueConstraint(fields=["run", "school", "kind"], name="list_change_unique_kind")]

    def __str__(self):
        return f"{self.school}: {self.get_kind_display()}"


class SchoolYearStatus(models.Model):
    """A school's place on the approved list (перечень) of a year."""

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="year_statuses")
    year = models.PositiveSmallIntegerField("год")
    status = models.CharField("статус", max_length=8, choices=Status.choices)
    preventive = models.BooleanField("профилактика", default=False)
    curator_candidate = models.BooleanField("школа-куратор", default=False)
    on_watch = models.BooleanField("на контроле", default=False)
    targeted_support = models.BooleanField("отобрана для адресной поддержки", default=False)
    computed_status = models.CharField("по расчёту", max_length=8, choices=Status.choices, blank=True)
    change_reason = models.CharField("основание отличия от расчёта", max_length=500, blank=True)
    run = models.ForeignKey(IdentificationRun, verbose_name="по запуску", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "статус школы за год"
        verbose_name_plural = "статусы школ по годам (утверждённые перечни)"
        ordering = ["-year", "school__short_name"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="status_unique_school_year")]
        # The registry counts every school of the country by its status of a year: read from the index alone.
        indexes = [
            models.Index(
                fields=["year", "school"], include=["status", "preventive", "curator_candidate"],
                name="status_counts_of_year",
            )
        ]

    def __str__(self):
        return f"{self.school} {self.year}: {self.get_status_display()}"
