"""Satisfaction surveys of parents, pupils and teachers (seed 001: «удовлетворённость обучающихся, родителей и
педагогов» is a criterion of the list).

A region's department launches a campaign for a school year; every school of the region gets a public link
(`SchoolLink`) that anyone answers without an account. Questions are data (`Questionnaire`, `Question`): a region
starts from the installation's default questionnaires (`surveys.questionnaires.DEFAULTS`) and edits its own copy in
the back office. Nothing in an answer names the person: a response keeps its school, audience, time and a random
device id (one answer per device); the address is kept only in `AddressWindow` as a salted hash for the minutes the
limit per address needs (docs/SURVEYS.md).
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from schools.models import Region, School

DEFAULT_MIN_ANSWERS = 10


class Audience(models.TextChoices):
    PARENTS = "parents", "родители"
    PUPILS = "pupils", "обучающиеся 8–11 классов"
    TEACHERS = "teachers", "педагоги"


class Questionnaire(models.Model):
    """One audience's questions; `region` empty — the installation's default, copied into a region on its first
    campaign."""

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.CASCADE, null=True, blank=True, related_name="questionnaires"
    )
    audience = models.CharField("кто отвечает", max_length=16, choices=Audience.choices)
    title = models.CharField("название", max_length=300)
    intro = models.TextField("вступление", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "анкета"
        verbose_name_plural = "анкеты опросов"
        ordering = ["region_id", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["region", "audience"], name="questionnaire_one_per_audience"),
            models.UniqueConstraint(
                fields=["audience"], condition=models.Q(region__isnull=True), name="questionnaire_one_default"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.region or 'по умолчанию'})"


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", "оценка от 1 до 5"
        YES_NO = "yes_no", "да / нет"
        TEXT = "text", "свободный ответ"

    class Area(models.TextChoices):
        """The areas of the independent quality assessment of schools (НОКО)."""

        COMFORT = "comfort", "комфортность и безопасность"
        TEACHING = "teaching", "качество обучения"
        OPENNESS = "openness", "открытость информации"
        RELATIONS = "relations", "отношения с педагогами"
        SPECIAL_NEEDS = "special_needs", "условия для обучающихся с ОВЗ"
        OTHER = "other", "другое"

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="анкета", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    text = models.CharField("вопрос", max_length=500)
    kind = models.CharField("вид ответа", max_length=8, choices=Kind.choices, default=Kind.SCALE)
    area = models.CharField("область", max_length=16, choices=Area.choices, default=Area.OTHER)
    required = models.BooleanField("обязательный", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        ordering = ["questionnaire_id", "order", "pk"]
        constraints = [
            # at most one free text per questionnaire (issue 22): a partial unique index holds it under races
            models.UniqueConstraint(
                fields=["questionnaire"], condition=models.Q(kind="text"), name="question_one_free_text",
                violation_error_message="В анкете может быть только один свободный ответ.",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_scored(self) -> bool:
        return self.kind != self.Kind.TEXT


class Campaign(models.Model):
    """A region's survey of one school year."""

    region = models.ForeignKey(Region, verbose_name="регион", on_delete=models.PROTECT, related_name="survey_campaigns")
    year = models.PositiveSmallIntegerField("учебный год", help_text="По году, которым он заканчивается: 2027 = 2026/27.")
    title = models.CharField("название", max_length=300)
    opens_on = models.DateField("начало")
    closes_on = models.DateField("окончание", help_text="Последний день, когда принимаются ответы.")
    audiences = models.JSONField("кого опрашиваем", default=list)
    min_answers = models.PositiveSmallIntegerField(
        "порог ответов", default=DEFAULT_MIN_ANSWERS,
        help_text="Индекс школы показывается, когда ответов не меньше; ниже — «недостаточно ответов».",
    )
    closed_at = models.DateTimeField("завершена", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто запустил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "опрос удовлетворённости"
        verbose_name_plural = "опросы удовлетворённости"
        ordering = ["-year", "region__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], name="campaign_one_per_region_year",
                violation_error_message="Опрос на этот учебный год в регионе уже запущен.",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "Окончание раньше начала."})
        if self.min_answers is not None and self.min_answers < 1:
            raise ValidationError({"min_answers": "Порог — хотя бы один ответ."})

    def is_open_on(self, day) -> bool:
        return self.closed_at is None and self.opens_on <= day <= self.closes_on


def link_token() -> str:
    return secrets.token_urlsafe(12)


class SchoolLink(models.Model):
    """A school's public link of a campaign, printed as a QR code."""

    campaign = models.ForeignKey(Campaign, verbose_name="опрос", on_delete=models.CASCADE, related_name="links")
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="survey_links")
    token = models.CharField("код ссылки", max_length=32, unique=True, default=link_token)
    needs_class_code = models.BooleanField(
        "только по кодам классов", default=False,
        help_text="Каждый ответ — с одноразовым кодом, который школа раздаёт в классе или на собрании.",
    )

    class Meta:
        verbose_name = "ссылка школы"
        verbose_name_plural = "ссылки школ"
        constraints = [models.UniqueConstraint(fields=["campaign", "school"], name="survey_link_one_per_school")]

    def __str__(self):
        return f"{self.school} — {self.campaign}"


class ClassCode(models.Model):
    """A one-time code a school hands out; used by one answer."""

    link = models.ForeignKey(SchoolLink, verbose_name="ссылка", on_delete=models.CASCADE, related_name="class_codes")
    code = models.CharField("код", max_length=16)
    label = models.CharField("класс или собрание", max_length=100, blank=True)
    used_at = models.DateTimeField("использован", null=True, blank=True)
    created_at = models.DateTimeField("выдан", auto_now_add=True)

    class Meta:
        verbose_name = "код класса"
        verbose_name_plural = "коды классов"
        ordering = ["label", "code"]
        constraints = [models.UniqueConstraint(fields=["link", "code"], name="class_code_unique_in_link")]

    def __str__(self):
        return self.code


class Response(models.Model):
    """One person's answers, with nothing that names them."""

    link = models.ForeignKey(SchoolLink, verbose_name="ссылка", on_delete=models.CASCADE, related_name="responses")
    audience = models.CharField("кто ответил", max_length=16, choices=Audience.choices)
    device = models.CharField("устройство", max_length=64, help_text="Случайный код из cookie, не связанный с человеком.")
    class_code = models.OneToOneField(
        ClassCode, verbose_name="код класса", on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    submitted_at = models.DateTimeField("получен", auto_now_add=True)

    class Meta:
        verbose_name = "ответ на опрос"
        verbose_name_plural = "ответы на опросы"
        constraints = [
            models.UniqueConstraint(fields=["link", "audience", "device"], name="survey_response_one_per_device")
        ]

    def __str__(self):
        return f"{self.get_audience_display()}, {self.submitted_at:%d.%m.%Y %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(Response, verbose_name="ответ", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name="вопрос", on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField("оценка", null=True, blank=True, help_text="1–5; да = 1, нет = 0.")
    score = models.FloatField("баллы из 100", null=True, blank=True)
    text = models.TextField("текст", blank=True)

    class Meta:
        verbose_name = "ответ на вопрос"
        verbose_name_plural = "ответы на вопросы"
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")]

    def __str__(self):
        return self.text or str(self.value)


class AddressWindow(models.Model):
    """Answers from one address (a salted hash, never the address) in one window of minutes; rows older than the
    window are deleted as new ones are written."""

    address_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address_hash", "window_start"], name="survey_address_window_once")
        ]
        indexes = [models.Index(fields=["window_start"], name="survey_address_window_age")]

    def __str__(self):
        return f"{self.window_start:%H:%M}: {self.count}"
