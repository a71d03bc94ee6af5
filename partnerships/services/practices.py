"""Writes to the bank of practices: a school's practice, its files, moderation and counted downloads."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify

from ..access import can_add_practice, can_author_practice, can_moderate_practice, practice_schools, require
from ..models import Practice, PracticeDownload, PracticeFile
from .common import (
    PartnershipError,
    delete_files_on_commit,
    file_kind,
    full_clean,
    require_unchanged,
    save_stored_file,
    stamp,
)

PRACTICE_FIELDS = ["title", "description"]
NOT_AUTHOR = "Практику изменяют школа-автор, координатор её муниципалитета и управление образования."
LOCKED_PRACTICE = "Практика на модерации или опубликована: изменить её нельзя, пока модератор не вернёт её на доработку."


@transaction.atomic
def practice_create(*, actor, school, title, description, subjects=(), risk_factors=()) -> Practice:
    require(can_add_practice(actor), NOT_AUTHOR)
    if not practice_schools(actor).filter(pk=getattr(school, "pk", None)).exists():
        raise PartnershipError("От имени этой школы вы публиковать не можете.", field="school")
    practice = Practice(school=school, title=title.strip(), description=description.strip(), created_by=actor)
    full_clean(practice, exclude=["created_by", "moderated_by"])
    stamp(practice, actor).save()
    practice.subjects.set(subjects)
    practice.risk_factors.set(risk_factors)
    return practice


def _locked_practice(practice: Practice) -> Practice:
    return Practice.objects.select_for_update().select_related("school").get(pk=practice.pk)


def _require_practice_author(actor, practice: Practice) -> None:
    require(can_author_practice(actor, practice), NOT_AUTHOR)
    if not practice.is_editable:
        raise PartnershipError(LOCKED_PRACTICE)


@transaction.atomic
def practice_update(
    *, practice: Practice, actor, title, description, subjects=(), risk_factors=(), seen: int | None = None
) -> Practice:
    practice = _locked_practice(practice)
    require_unchanged(practice, seen)
    _require_practice_author(actor, practice)
    practice.title = title.strip()
    practice.description = description.strip()
    full_clean(practice, exclude=["created_by", "moderated_by"])
    stamp(practice, actor).save()
    practice.subjects.set(subjects)
    practice.risk_factors.set(risk_factors)
    return practice


@transaction.atomic
def practice_file_add(*, practice: Practice, actor, file) -> PracticeFile:
    practice = _locked_practice(practice)
    _require_practice_author(actor, practice)
    kind = file_kind(file, field="file")
    stored = PracticeFile(practice=practice)
    save_stored_file(stored, file, kind, actor)
    return stored


@transaction.atomic
def practice_file_delete(*, stored: PracticeFile, actor) -> None:
    stored = PracticeFile.objects.get(pk=stored.pk)
    practice = _locked_practice(stored.practice)
    _require_practice_author(actor, practice)
    name = stored.file.name
    stamp(stored, actor).delete()
    delete_files_on_commit([name])


@transaction.atomic
def practice_submit(*, practice: Practice, actor) -> Practice:
    practice = _locked_practice(practice)
    _require_practice_author(actor, practice)
    if not practice.files.exists():
        raise PartnershipError("Приложите хотя бы один файл с материалами практики, затем отправьте на модерацию.")
    practice.status = Practice.Status.SUBMITTED
    practice.submitted_at = timezone.now()
    stamp(practice, actor, "отправлена на модерацию").save()
    notify(
        kind=notice_kinds.PRACTICE_SUBMITTED,
        recipients=notice_recipients.practice_moderators(practice),
        target=practice,
        title=f"{practice.school}: практика «{practice.title}» ждёт модерации",
        body="Проверьте материалы: опубликуйте практику в банке или верните автору с замечаниями.",
        actor=actor,
    )
    return practice


@transaction.atomic
def practice_publish(*, practice: Practice, actor) -> Practice:
    practice = _locked_practice(practice)
    require(can_moderate_practice(actor, practice), "Практики проверяет координатор муниципалитета школы-автора.")
    if practice.status != Practice.Status.SUBMITTED:
        raise PartnershipError("Опубликовать можно только практику, отправленную на модерацию.")
    practice.status = Practice.Status.PUBLISHED
    practice.moderated_by = actor
    practice.moderated_at = practice.published_at = timezone.now()
    practice.moderation_comment = ""
    stamp(practice, actor, "опубликована").save()
    notify(
        kind=notice_kinds.PRACTICE_PUBLISHED,
        recipients=notice_recipients.practice_authors(practice),
        target=practice,
        title=f"Практика «{practice.title}» опубликована в банке практик",
        actor=actor,
    )
    return practice


@transaction.atomic
def practice_return(*, practice: Practice, actor, comment: str) -> Practice:
    """Back to the author with remarks: from moderation, or a published practice withdrawn from the bank."""
    practice = _locked_practice(practice)
    require(can_moderate_practice(actor, practice), "Практики проверяет координатор муниципалитета школы-автора.")
    comment = (comment or "").strip()
    if not comment:
        raise PartnershipError("Напишите замечания: автор должен понять, что исправить.", field="comment")
    if practice.status not in (Practice.Status.SUBMITTED, Practice.Status.PUBLISHED):
        raise PartnershipError("Вернуть можно практику на модерации или опубликованную.")
    practice.status = Practice.Status.RETURNED
    practice.moderated_by = actor
    practice.moderated_at = timezone.now()
    practice.published_at = None
    practice.moderation_comment = comment[:4000]
    stamp(practice, actor, "возвращена на доработку").save()
    notify(
        kind=notice_kinds.PRACTICE_RETURNED,
        recipients=notice_recipients.practice_authors(practice),
        target=practice,
        title=f"Практика «{practice.title}» возвращена на доработку",
        body=f"Замечания координатора: {practice.moderation_comment}",
        actor=actor,
    )
    return practice


def practice_download_record(*, stored: PracticeFile, actor) -> None:
    """Count a download of a published practice (seed 001 measures them); drafts read by moderators do not count."""
    with transaction.atomic():
        counted = Practice.objects.filter(pk=stored.practice_id, status=Practice.Status.PUBLISHED).update(
            download_count=F("download_count") + 1
        )
        if counted:
            PracticeDownload.objects.create(practice_id=stored.practice_id, file=stored, user=actor)
