"""Curator agreements, their plans of joint sessions, the sessions logged under them and their evidence.

An agreement (договор о сотрудничестве) joins a curator school and a supported school for a term, with forms of
support and a plan of joint sessions. While it is in force (status «действует» and today within the term) the
curator school reaches the supported school (`schools.access.reach_of`). The curator logs each support session; the
supported school confirms it or disputes it with a comment. Only confirmed sessions count in reports; a confirmed
or disputed session is no longer the curator's to change.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programs.models import RiskFactor
from schools.models import Organisation, School

from .files import StoredFile, agreement_scan_upload_to, session_evidence_upload_to

MONTHS = [
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
]  # fmt: skip


def month_label(day: datetime.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


class SessionFormat(models.TextChoices):
    CONSULTATION = "consultation", "консультация"
    SEMINAR = "seminar", "семинар"
    WEBINAR = "webinar", "вебинар"
    MASTER_CLASS = "master_class", "мастер-класс"
    LESSON_VISITS = "lesson_visits", "посещение уроков"
    JOINT_COUNCIL = "joint_council", "совместный педсовет"
    INTERNSHIP = "internship", "стажировка"
    MUTUAL_REVIEW = "mutual_review", "взаимоэкспертиза"
    OTHER = "other", "иное"


ONE_CURATOR = "Куратором по договору выступает либо школа, либо организация из реестра: укажите одну из них."


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Agreements that hold on the day: status «действует» and the day within the term."""
        on = on or timezone.localdate()
        return self.filter(status=Agreement.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on)

    def overlapping(self, *, curator_school_id, supported_school_id, starts_on, ends_on, curator_organisation_id=None):
        """Agreements of the same pair — a curator school or organisation and the supported school — whose term
        overlaps the given one (terminated ones do not count)."""
        return self.filter(
            curator_school_id=curator_school_id,
            curator_organisation_id=curator_organisation_id,
            supported_school_id=supported_school_id,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).exclude(status=Agreement.Status.TERMINATED)


class Agreement(models.Model):
    """A cooperation agreement between a curator — a school, or an organisation of the registry (seed 000's
    «организации дополнительного образования детей», an innovation platform, the institute) — and a supported
    school. Exactly one of `curator_school` and `curator_organisation` is set."""

    class Status(models.TextChoices):
        DRAFT = "draft", "проект"
        ACTIVE = "active", "действует"
        FINISHED = "finished", "завершён"
        TERMINATED = "terminated", "расторгнут"

    FORM_FIELDS = ("form_consulting", "form_methodical", "form_organisational", "form_resource")

    number = models.CharField("номер", max_length=50, blank=True)
    signed_on = models.DateField("дата договора", null=True, blank=True)
    starts_on = models.DateField("начало срока")
    ends_on = models.DateField("окончание срока")
    curator_school = models.ForeignKey(
        School, verbose_name="школа-куратор", on_delete=models.PROTECT, related_name="curator_agreements", null=True,
        blank=True,
    )
    curator_organisation = models.ForeignKey(
        Organisation, verbose_name="организация-куратор", on_delete=models.PROTECT, related_name="curator_agreements",
        null=True, blank=True, help_text="Вместо школы-куратора: организация из реестра партнёров.",
    )
    supported_school = models.ForeignKey(
        School, verbose_name="сопровождаемая школа", on_delete=models.PROTECT, related_name="support_agreements"
    )
    subject = models.TextField(
        "предмет договора",
        help_text="Что стороны делают вместе: например, «сотрудничество в целях повышения качества образования и "
        "перевода школы в эффективный режим работы».",
    )
    form_consulting = models.BooleanField("консультационная поддержка", default=True)
    form_methodical = models.BooleanField("методическая поддержка", default=True)
    form_organisational = models.BooleanField("организационная поддержка", default=False)
    form_resource = models.BooleanField("ресурсная поддержка", default=False)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    scan = models.FileField("скан подписанного договора", upload_to=agreement_scan_upload_to, max_length=300, blank=True)
    scan_name = models.CharField("имя файла скана", max_length=300, blank=True)
    scan_content_type = models.CharField("тип файла скана", max_length=120, blank=True)
    scan_size = models.PositiveBigIntegerField("размер скана, байт", null=True, blank=True)
    closed_on = models.DateField("дата завершения или расторжения", null=True, blank=True)
    termination_reason = models.TextField("причина расторжения", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "договор о сотрудничестве"
        verbose_name_plural = "договоры о сотрудничестве"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="agreement_term_order",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="Окончание срока не может быть раньше его начала.",
            ),
            models.CheckConstraint(
                name="agreement_two_schools",
                condition=~Q(curator_school=F("supported_school")),
                violation_error_message="Школа не может сопровождать сама себя.",
            ),
            models.CheckConstraint(
                name="agreement_one_curator",
                condition=Q(curator_school__isnull=False, curator_organisation__isnull=True)
                | Q(curator_school__isnull=True, curator_organisation__isnull=False),
                violation_error_message=ONE_CURATOR,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_on", "ends_on"], name="agreement_in_force"),
            # the list shows the newest 25 of a country's agreements: read in this order, not sorted per request
            models.Index(fields=["-starts_on", "-id"], name="agreement_list_order"),
        ]

    def __str__(self):
        number = f"№ {self.number}" if self.number else "без номера"
        return f"Договор {number}: {self.curator} — {self.supported_school}"

    @property
    def curator(self) -> School | Organisation | None:
        """The curator party: the curator school, or the organisation of the registry."""
        return self.curator_school if self.curator_school_id else self.curator_organisation

    @property
    def curator_name(self) -> str:
        return self.curator.short_name if self.curator else ""

    @property
    def curator_full_name(self) -> str:
        return self.curator.name if self.curator else ""

    @property
    def curator_head(self) -> str:
        """Who signs for the curator party: the school's director or the organisation's head."""
        if self.curator_school_id:
            return self.curator_school.director
        return self.curator_organisation.head_name if self.curator_organisation_id else ""

    @property
    def curator_role_label(self) -> str:
        return "организация-куратор" if self.curator_organisation_id else "школа-куратор"

    @property
    def curator_place(self) -> str:
        """The curator party's municipality, or «региональная» for an organisation of the region's level."""
        if self.curator_school_id:
            return self.curator_school.municipality.name
        return self.curator_organisation.level_label if self.curator_organisation_id else ""

    @property
    def title(self) -> str:
        number = f"№ {self.number}" if self.number else "(проект, без номера)"
        date = f" от {self.signed_on:%d.%m.%Y}" if self.signed_on else ""
        return f"Договор о сотрудничестве {number}{date}"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.starts_on <= on <= self.ends_on

    @property
    def state_label(self) -> str:
        """The status as people read it: an active agreement whose term is over or not yet begun says so."""
        today = timezone.localdate()
        if self.status == self.Status.ACTIVE:
            if today > self.ends_on:
                return "срок истёк"
            if today < self.starts_on:
                return "подписан, срок не начался"
        return self.get_status_display()

    @property
    def state_css(self) -> str:
        if self.is_in_force():
            return "bg-success"
        if self.status == self.Status.DRAFT:
            return "bg-light text-dark border"
        if self.status == self.Status.TERMINATED:
            return "bg-danger"
        return "bg-secondary"

    @property
    def forms_label(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.FORM_FIELDS if getattr(self, name)]

    @property
    def is_open(self) -> bool:
        """Draft or active: the agreement and its plan may still change."""
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)

    def term_error(self, day: datetime.date | None) -> str | None:
        if day and not self.starts_on <= day <= self.ends_on:
            return (
                f"Дата {day:%d.%m.%Y} вне срока договора: он действует с {self.starts_on:%d.%m.%Y} "
                f"по {self.ends_on:%d.%m.%Y}."
            )
        return None

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "Окончание срока не может быть раньше его начала."
        if bool(self.curator_school_id) == bool(self.curator_organisation_id):
            errors["curator_school"] = ONE_CURATOR
        if self.curator_school_id and self.curator_school_id == self.supported_school_id:
            errors["supported_school"] = "Школа не может сопровождать сама себя: выберите другую школу."
        if not any(getattr(self, name) for name in self.FORM_FIELDS):
            errors["form_consulting"] = "Отметьте хотя бы одну форму поддержки."
        if self.signed_on and self.ends_on and self.signed_on > self.ends_on:
            errors["signed_on"] = "Договор не может быть подписан после окончания своего срока."
        if errors:
            raise ValidationError(errors)


class AgreementPlanItem(models.Model):
    """A line of the plan of joint sessions: a date (or a month), a format, a topic, the risk factor addressed."""

    agreement = models.ForeignKey(
        Agreement, verbose_name="договор", on_delete=models.CASCADE, related_name="plan_items"
    )
    planned_on = models.DateField("дата", help_text="Если известен только месяц, укажите любой его день и отметьте «только месяц».")
    month_only = models.BooleanField("только месяц", default=False)
    format = models.CharField("форма", max_length=16, choices=SessionFormat.choices)
    topic = models.CharField("тема", max_length=500)
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="agreement_plan_items",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт плана совместных мероприятий"
        verbose_name_plural = "план совместных мероприятий"
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return f"{self.when_label}: {self.topic}"

    def save(self, *args, **kwargs):
        if self.month_only and self.planned_on:
            self.planned_on = self.planned_on.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def when_label(self) -> str:
        return month_label(self.planned_on) if self.month_only else f"{self.planned_on:%d.%m.%Y}"


class SupportSession(models.Model):
    """One logged act of help under an agreement; counts in reports once the supported school confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", "ждёт подтверждения"
        CONFIRMED = "confirmed", "подтверждено"
        DISPUTED = "disputed", "оспорено"

    agreement = models.ForeignKey(Agreement, verbose_name="договор", on_delete=models.PROTECT, related_name="sessions")
    plan_item = models.ForeignKey(
        AgreementPlanItem, verbose_name="по пункту плана", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sessions",
    )
    held_on = models.DateField("дата проведения")
    format = models.CharField("форма", max_length=16, choices=SessionFormat.choices)
    topic = models.CharField("тема", max_length=500)
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="support_sessions",
    )
    teachers_count = models.PositiveSmallIntegerField("педагогов", default=0)
    managers_count = models.PositiveSmallIntegerField("руководителей", default=0)
    hours = models.DecimalField(
        "часов", max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(99)]
    )
    outcome = models.TextField("результат", blank=True)
    status = models.CharField("подтверждение", max_length=16, choices=Status.choices, default=Status.PENDING)
    dispute_comment = models.TextField("комментарий школы", blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="записал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField("записано", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="подтвердил или оспорил", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    reviewed_at = models.DateTimeField("подтверждено или оспорено", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "занятие по договору"
        verbose_name_plural = "занятия по договорам"
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["agreement", "status"], name="session_agreement_status"),
            models.Index(fields=["-held_on", "-id"], name="session_list_order"),
        ]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y} {self.get_format_display()}: {self.topic}"

    @property
    def participants(self) -> int:
        return self.teachers_count + self.managers_count

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def status_css(self) -> str:
        return {
            self.Status.PENDING: "bg-warning text-dark",
            self.Status.CONFIRMED: "bg-success",
            self.Status.DISPUTED: "bg-danger",
        }[self.status]


class SessionEvidence(StoredFile):
    """A document proving a session: minutes, a list of participants, photos."""

    session = models.ForeignKey(
        SupportSession, verbose_name="занятие", on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField("файл", upload_to=session_evidence_upload_to, max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "подтверждение занятия"
        verbose_name_plural = "подтверждения занятий"
        ordering = ["uploaded_at", "pk"]
