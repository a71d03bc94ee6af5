"""The bank of practices: schools publish practices after the coordinator's moderation; every download is counted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programs.models import RiskFactor
from schools.models import School

from .files import StoredFile, practice_file_upload_to
from .lists import Subject


class Practice(models.Model):
    """A practice a school shares; published after the coordinator's moderation."""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        SUBMITTED = "submitted", "на модерации"
        PUBLISHED = "published", "опубликована"
        RETURNED = "returned", "возвращена на доработку"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.PROTECT, related_name="practices")
    title = models.CharField("название", max_length=300)
    description = models.TextField("описание", help_text="Что сделано, для кого, какой получен результат.")
    subjects = models.ManyToManyField(Subject, verbose_name="предметы", blank=True, related_name="practices")
    risk_factors = models.ManyToManyField(RiskFactor, verbose_name="факторы риска", blank=True, related_name="practices")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    moderation_comment = models.TextField("замечания модератора", blank=True)
    submitted_at = models.DateTimeField("отправлена на модерацию", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="модератор", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField("проверена", null=True, blank=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    download_count = models.PositiveIntegerField("скачиваний", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор записи", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)
    history = HistoricalRecords(excluded_fields=["download_count"])

    class Meta:
        verbose_name = "практика"
        verbose_name_plural = "банк практик"
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["-published_at", "-created_at", "-id"], name="practice_list_order")]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def status_css(self) -> str:
        return {
            self.Status.DRAFT: "bg-light text-dark border",
            self.Status.SUBMITTED: "bg-warning text-dark",
            self.Status.PUBLISHED: "bg-success",
            self.Status.RETURNED: "bg-danger",
        }[self.status]


class PracticeFile(StoredFile):
    practice = models.ForeignKey(Practice, verbose_name="практика", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("файл", upload_to=practice_file_upload_to, max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "файл практики"
        verbose_name_plural = "файлы практик"
        ordering = ["uploaded_at", "pk"]


class PracticeDownload(models.Model):
    """One download of a published practice's file (seed 001 counts them)."""

    practice = models.ForeignKey(Practice, verbose_name="практика", on_delete=models.CASCADE, related_name="downloads")
    file = models.ForeignKey(
        PracticeFile, verbose_name="файл", on_delete=models.SET_NULL, null=True, blank=True, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто скачал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    downloaded_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "скачивание практики"
        verbose_name_plural = "скачивания практик"
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.practice} — {self.downloaded_at:%d.%m.%Y %H:%M}"
