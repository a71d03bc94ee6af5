"""Notifications in the portal and by e-mail, and each person's choice of what comes by e-mail.

A notification is one line for one person about one thing (its target: a programme, a review, a session…). It is
always shown in the portal; whether and how it goes by e-mail is decided when it is stored, from the person's
preference, and kept in `email_state` so that the sender (`send_notifications`, `send_reminders`) picks up exactly
what is left to send — including what a failing mail server could not take last time.

A reminder carries a `dedupe_key` (kind, target, person, day) under a unique constraint: the daily command may run
twice, or twice at once, and still stores — and sends — each reminder once.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schools.models import Municipality

from . import kinds


class Notification(models.Model):
    class EmailState(models.TextChoices):
        NONE = "none", "без письма"
        PENDING = "pending", "письмо ждёт отправки"
        DIGEST = "digest", "войдёт в ежедневную сводку"
        SENT = "sent", "письмо отправлено"
        FAILED = "failed", "письмо не отправлено"

    TO_SEND = (EmailState.PENDING, EmailState.DIGEST)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="получатель", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("вид", max_length=40)
    title = models.CharField("заголовок", max_length=300)
    body = models.TextField("текст", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто сделал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    target_type = models.ForeignKey(ContentType, verbose_name="тип объекта", on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField("объект")
    target = GenericForeignKey("target_type", "target_id")
    url = models.CharField(
        "адрес на портале", max_length=500, blank=True,
        help_text="Если пусто — страница самого объекта.",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Муниципалитет объекта: по нему координатор видит, кто не отреагировал.",
    )
    created_at = models.DateTimeField("создано", default=timezone.now)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    email_state = models.CharField("письмо", max_length=8, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField("попыток отправки", default=0)
    email_error = models.CharField("ошибка отправки", max_length=500, blank=True)
    emailed_at = models.DateTimeField("письмо отправлено", null=True, blank=True)
    dedupe_key = models.CharField(
        "ключ напоминания", max_length=200, null=True, blank=True, unique=True,
        help_text="Вид, объект, получатель и день: одно напоминание в день, сколько бы раз ни запускалась рассылка.",
    )

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            # The bell: one count over this person's unread rows.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["target_type", "target_id", "kind"], name="notification_target"),
            models.Index(fields=["municipality", "created_at"], name="notification_municipality"),
            models.Index(
                fields=["email_state", "recipient"], condition=Q(email_state__in=["pending", "digest"]),
                name="notification_to_send",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.title}"

    @property
    def kind_label(self) -> str:
        return kinds.label_of(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """Which kinds come by e-mail, and whether at once or in one daily digest. No row: every kind, at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="пользователь", on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    digest = models.BooleanField(
        "раз в день одним письмом", default=False,
        help_text="Вместо письма на каждое уведомление — одна сводка за день.",
    )
    muted_kinds = models.JSONField(
        "виды без писем", default=list, blank=True,
        help_text="Коды видов уведомлений, которые приходят только на портал.",
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "настройка писем"
        verbose_name_plural = "настройки писем"
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user}: {'сводка раз в день' if self.digest else 'письма сразу'}"
