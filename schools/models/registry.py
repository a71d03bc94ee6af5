"""Regions, municipalities, their schools, comparison clusters and yearly profiles (the registry)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A subject of the Russian Federation; one deployment usually serves one region."""

    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код субъекта", max_length=8, blank=True)
    department_name = models.CharField(
        "орган управления образованием", max_length=300, blank=True, default="", db_default="",
        help_text="Так он называется в актах, которые портал регистрирует сам (приказ об утверждении перечня).",
    )

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "муниципальный район"
        MUNICIPAL_OKRUG = "okrug", "муниципальный округ"
        CITY_OKRUG = "city", "городской округ"

    region = models.ForeignKey(Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.DISTRICT)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name_in_region")]

    def __str__(self):
        return self.name


class Cluster(models.Model):
    """A group of comparable schools; cluster-based criteria compare a school only within its group."""

    code = models.SlugField("код", max_length=32, unique=True)
    name = models.CharField("название", max_length=200)
    description = models.TextField("кто входит", blank=True)

    class Meta:
        verbose_name = "кластер школ"
        verbose_name_plural = "кластеры школ"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClusterRule(models.Model):
    """One line of the rule that puts schools into clusters (`schools.clusters`): a school goes to the cluster of
    the first line, in `order`, whose conditions its card meets. An empty condition accepts any value; a school
    whose kind or locality is not determined matches only a line that asks nothing of it."""

    class Small(models.TextChoices):
        ANY = "", "не важно"
        YES = "yes", "только малокомплектные"
        NO = "no", "кроме малокомплектных"

    cluster = models.ForeignKey(Cluster, verbose_name="кластер", on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField("порядок", default=100, help_text="Строки проверяются по возрастанию.")
    kinds = models.JSONField("типы школ", default=list, blank=True, help_text="Пусто — любой тип.")
    locality = models.CharField(
        "местность", max_length=8, blank=True, choices=[("urban", "городская"), ("rural", "сельская")],
        help_text="Пусто — любая, в том числе не определённая.",
    )
    small = models.CharField("малокомплектность", max_length=3, blank=True, choices=Small.choices)
    min_pupils = models.PositiveIntegerField("обучающихся от", null=True, blank=True)
    max_pupils = models.PositiveIntegerField(
        "обучающихся до (включительно)", null=True, blank=True,
        help_text="Если число обучающихся неизвестно, оно оценивается как выпускники 11 классов × 11.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "правило кластера"
        verbose_name_plural = "правила кластеров"
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.order}. → {self.cluster}"


class School(models.Model):
    class Kind(models.TextChoices):
        SOSH = "sosh", "СОШ"
        OOSH = "oosh", "ООШ"
        NOSH = "nosh", "НОШ"
        GYMNASIUM = "gymnasium", "гимназия"
        LYCEUM = "lyceum", "лицей"
        BOARDING = "boarding", "школа-интернат"
        OTHER = "other", "иная"

    class Locality(models.TextChoices):
        URBAN = "urban", "городская"
        RURAL = "rural", "сельская"
        UNKNOWN = "unknown", "не определена"

    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    kind = models.CharField("тип", max_length=16, choices=Kind.choices, default=Kind.SOSH)
    locality = models.CharField("местность", max_length=8, choices=Locality.choices, default=Locality.URBAN)
    is_small = models.BooleanField("малокомплектная", default=False)
    address = models.CharField("адрес", max_length=500, blank=True)
    director = models.CharField("директор", max_length=200, blank=True)
    phone = models.CharField("телефон", max_length=64, blank=True)
    email = models.EmailField("электронная почта", blank=True)
    website = models.URLField("сайт", blank=True)
    inn = models.CharField("ИНН", max_length=12, blank=True)
    ogrn = models.CharField("ОГРН", max_length=13, blank=True)
    cluster = models.ForeignKey(
        Cluster, verbose_name="кластер", on_delete=models.SET_NULL, null=True, blank=True, related_name="schools"
    )
    cluster_set_by_hand = models.BooleanField(
        "кластер назначен вручную",
        default=False,
        help_text="Если отмечено, кластер не пересчитывается по правилу (тип, местность, малокомплектность).",
    )
    archived_on = models.DateField(
        "в архиве с",
        null=True,
        blank=True,
        help_text="Школа закрыта или реорганизована: она остаётся в истории (результаты, перечни, программы), "
        "но не показывается в реестре по умолчанию и не участвует в новых запусках идентификации.",
    )
    archive_note = models.CharField("причина перевода в архив", max_length=300, blank=True)

    # What a school's history is made of: while any of these exist, the school is archived, never deleted.
    HISTORY_RELATIONS = [
        "profiles", "results", "verdicts", "year_statuses", "programmes", "reviews", "indicator_values",
        "self_assessments", "open_reports", "risk_profiles", "curator_agreements", "support_agreements", "teachers",
        "practices", "event_invitations",
    ]  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "short_name"], name="school_unique_short_name_in_municipality")
        ]
        # The registry's default order: a page of 25 of 40,000 schools reads the index instead of sorting them all.
        indexes = [
            models.Index(fields=["short_name", "id"], name="school_registry_order"),
            # The registry's counts read the schools in service from this index alone (the table rows are wide).
            models.Index(fields=["id"], condition=Q(archived_on__isnull=True), name="school_in_service"),
        ]

    def __str__(self):
        return self.short_name

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    def history_counts(self) -> dict[str, int]:
        """{verbose name of the related model: rows} of the school's history that a delete would take with it."""
        counts = {}
        for relation in self._meta.related_objects:
            if relation.get_accessor_name() in self.HISTORY_RELATIONS:
                count = getattr(self, relation.get_accessor_name()).count()
                if count:
                    counts[str(relation.related_model._meta.verbose_name_plural)] = count
        return counts


class SchoolNameAlias(models.Model):
    """A name under which a school appeared in an imported file; remembered so that next year's file matches."""

    municipality_name = models.CharField("муниципалитет в файле", max_length=500)
    name = models.CharField("наименование в файле", max_length=1000)
    normalized = models.CharField("ключ сопоставления", max_length=1000, db_index=True)
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "название школы в файлах"
        verbose_name_plural = "названия школ в файлах"
        ordering = ["normalized"]
        constraints = [
            models.UniqueConstraint(fields=["municipality_name", "normalized"], name="alias_unique_in_municipality")
        ]

    def __str__(self):
        return f"{self.name} → {self.school}"


class SchoolYearProfile(models.Model):
    """Context facts of one school in one school year (the seeds' «социальный паспорт»)."""

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="profiles")
    year = models.PositiveSmallIntegerField("год", help_text="Год окончания учебного года: 2024 — это 2023/24.")
    pupils = models.PositiveIntegerField("обучающихся", null=True, blank=True)
    graduates_9 = models.PositiveIntegerField("выпускников 9 классов", null=True, blank=True)
    graduates_11 = models.PositiveIntegerField("выпускников 11 классов", null=True, blank=True)
    teachers = models.PositiveIntegerField("педагогов", null=True, blank=True)
    vacancies = models.PositiveIntegerField("вакансий", null=True, blank=True)
    share_low_income = models.DecimalField(
        "доля детей из малообеспеченных семей, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_single_parent = models.DecimalField(
        "доля детей из неполных семей, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    pupils_on_register = models.PositiveIntegerField("на учёте в КДН/ПДН, чел.", null=True, blank=True)
    share_special_needs = models.DecimalField(
        "доля обучающихся с ОВЗ, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_parents_higher_education = models.DecimalField(
        "доля родителей с высшим образованием, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_parents_educated = models.DecimalField(
        "доля родителей с высшим или средним специальным образованием, %", max_digits=5, decimal_places=1, null=True,
        blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_zpr = models.DecimalField(
        "доля обучающихся с ЗПР, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_difficult_situation = models.DecimalField(
        "доля детей из семей в трудной жизненной ситуации, %", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    pupils_left = models.PositiveIntegerField("выбыло обучающихся за год, чел.", null=True, blank=True)
    remote_small_rural = models.BooleanField("малокомплектная удалённая сельская школа", null=True, blank=True)
    teachers_under_35 = models.PositiveIntegerField("педагогов моложе 35 лет", null=True, blank=True)
    teachers_over_55 = models.PositiveIntegerField("педагогов старше 55 лет", null=True, blank=True)
    teachers_highest_category = models.PositiveIntegerField("педагогов высшей категории", null=True, blank=True)
    teachers_first_category = models.PositiveIntegerField("педагогов первой категории", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "профиль школы за год"
        verbose_name_plural = "профили школ по годам"
        ordering = ["school__short_name", "-year"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="profile_unique_school_year")]

    def __str__(self):
        return f"{self.school} — {self.year}"

    @property
    def share_on_register(self):
        """Pupils on КДН/ПДН registers per 100 pupils: a count alone would punish large schools."""
        if self.pupils_on_register is None or not self.pupils:
            return None
        return round(100 * self.pupils_on_register / self.pupils, 2)

    @property
    def has_on_register(self):
        """1 when any pupil is on a КДН/ПДН register (seed 001 makes presence a criterion), 0 when none."""
        if self.pupils_on_register is None:
            return None
        return 1 if self.pupils_on_register > 0 else 0

    @property
    def share_left(self):
        """Pupils who left during the year per 100 pupils: contingent retention (seed 002)."""
        if self.pupils_left is None or not self.pupils:
            return None
        return round(100 * self.pupils_left / self.pupils, 2)

    @property
    def share_vacancies(self):
        if self.vacancies is None or not self.teachers:
            return None
        return round(100 * self.vacancies / (self.teachers + self.vacancies), 2)
