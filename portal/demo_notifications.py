"""A few notifications per demo user, so that the bell, the list and the coordinator's page show something.

The events of the demo (the approved list, the programmes submitted, returned and accepted) already notify through
the services when `seed_demo` creates them; this adds reminders and older, partly read notifications about the
same demo objects. Idempotent: each row carries a dedupe key `demo:<user>:<n>`, so a second run adds nothing.
No e-mail is queued for them.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from shnor_portal.object_kinds import kind_of_model


def _measure_kind(measure) -> str:
    return kinds.MEASURE_OVERDUE if measure and measure.deadline < timezone.localdate() else kinds.MEASURE_DUE


def _measure_title(measure) -> str:
    if measure is None:
        return ""
    return f"Срок мероприятия «{measure.name[:100]}» — {measure.deadline_label}"


def _first(queryset):
    return queryset.order_by("pk").first()


@transaction.atomic
def seed_notifications() -> int:
    from schools.demo import DEMO_USERS

    users = get_user_model().objects.in_bulk([row[0] for row in DEMO_USERS], field_name="username")
    now = timezone.now()
    notifications = []
    for index, (username, kind, target, title, body, days, read) in enumerate(_rows()):
        user = users.get(username)
        if user is None or target is None:
            continue
        spec = kind_of_model(target._meta.label_lower)
        url = ""
        if kind == kinds.SELF_ASSESSMENT_MISSING:
            url = reverse("monitoring:school", args=[target.pk])
        created = now - datetime.timedelta(days=days, hours=index)
        notifications.append(
            Notification(
                recipient=user, kind=kind, title=title[:300], body=body,
                target_type=ContentType.objects.get_for_model(target), target_id=target.pk, url=url,
                municipality_id=spec.municipality_id(target) if spec else None, created_at=created,
                read_at=created + datetime.timedelta(hours=2) if read else None,
                dedupe_key=f"demo:{username}:{index}",
            )
        )
    before = Notification.objects.filter(dedupe_key__startswith="demo:").count()
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return Notification.objects.filter(dedupe_key__startswith="demo:").count() - before


def _rows() -> list[tuple]:
    """(user, kind, target, title, body, days ago, read?) of every demo notification; the target None when the demo
    lacks it (the row is skipped)."""
    from programs.models import OPEN_STATUSES, Programme, Review, RoadmapMeasure
    from schools.demo import CURATOR_SCHOOL, INSTITUTE, MUNICIPALITY_A, MUNICIPALITY_B, SCHOOL_TEAM_SCHOOL
    from schools.models import IdentificationRun, School

    run = _first(IdentificationRun.objects.filter(approved_at__isnull=False).defer("inputs"))
    own_school = School.objects.filter(short_name=SCHOOL_TEAM_SCHOOL, municipality__name=MUNICIPALITY_A).first()
    school_b = _first(School.objects.filter(municipality__name=MUNICIPALITY_B))
    municipal = _first(Programme.objects.filter(kind=Programme.Kind.MUNICIPAL, municipality__name=MUNICIPALITY_A))
    own_programme = _first(Programme.objects.filter(school=own_school, kind=Programme.Kind.TRANSITION))
    open_review = _first(Review.objects.filter(kind=Review.Kind.MUNICIPAL, status__in=Review.OPEN_STATUSES))
    mutual = _first(
        Review.objects.filter(kind=Review.Kind.MUTUAL, reviewer_school__short_name=CURATOR_SCHOOL).select_related(
            "programme"
        )
    )
    regional = _first(Review.objects.filter(kind=Review.Kind.REGIONAL).select_related("programme"))
    evidence = _first(
        Review.objects.filter(reviewer_organisation__short_name=INSTITUTE).select_related("programme", "step")
    )

    def measure_of(programme):
        if programme is None:
            return None
        return _first(RoadmapMeasure.objects.filter(programme=programme, status__in=OPEN_STATUSES).exclude(deadline=None))

    municipal_measure, own_measure = measure_of(municipal), measure_of(own_programme)

    return [
        ("department", kinds.LIST_APPROVED, run, f"Утверждён {run.list_name} (ШНОР/ШНСУ)" if run else "",
         "Перечень действует весь учебный год.", 12, True),
        ("institute", kinds.LIST_APPROVED, run, f"Утверждён {run.list_name} (ШНОР/ШНСУ)" if run else "",
         "Перечень региона: по нему институт планирует мероприятия и курсы.", 12, True),
        ("federal", kinds.LIST_APPROVED, run, f"{run.region.name}: утверждён {run.list_name}" if run else "",
         "Регион утвердил перечень ШНОР/ШНСУ.", 12, True),
        ("district", kinds.REVIEW_WAITING, regional,
         f"Экспертиза программы «{regional.programme.title}» ждёт решения управления" if regional else "",
         "Экспертизу проводит управление образования: региональное или района.", 1, False),
        ("department", kinds.REVIEW_WAITING, regional,
         f"Региональная экспертиза программы «{regional.programme.title}» ждёт решения" if regional else "",
         "Проведите экспертизу: примите программу или верните её на доработку с замечаниями.", 1, False),
        ("coordinator", kinds.REVIEW_WAITING, open_review,
         f"Муниципальная экспертиза программы «{open_review.programme.title}» ждёт решения" if open_review else "",
         "Проведите экспертизу: примите программу или верните её на доработку с замечаниями.", 1, False),
        ("coordinator", _measure_kind(municipal_measure), municipal_measure, _measure_title(municipal_measure),
         "Отметьте выполнение мероприятия с подтверждающим документом или согласуйте новый срок.", 3, False),
        ("coordinator_b", kinds.SELF_ASSESSMENT_MISSING, school_b,
         "Напоминание для школы: самооценка не загружена в срок" if school_b else "",
         "Входной этап — срок прошёл. Школа получила напоминание.", 4, True),
        ("school", _measure_kind(own_measure), own_measure, _measure_title(own_measure),
         "Отметьте выполнение мероприятия с подтверждающим документом или согласуйте новый срок.", 2, False),
        ("school", kinds.SELF_ASSESSMENT_MISSING, own_school, "Самооценка школы не загружена в срок",
         "Скачайте шаблон, заполните и загрузите самооценку на странице мониторинга школы.", 8, False),
        ("curator", kinds.REVIEW_WAITING, mutual,
         f"Взаимоэкспертиза программы «{mutual.programme.title}» ждёт заключения" if mutual else "",
         "Изучите программу, отметьте критерии чек-листа и дайте заключение.", 1, False),
        ("tutor", kinds.LIST_APPROVED, run, f"Утверждён {run.list_name} (ШНОР/ШНСУ)" if run else "",
         "Посмотрите, какие школы муниципалитета в перечне: их педагогам нужна тьюторская поддержка.", 10, False),
        ("curator_org", kinds.LIST_APPROVED, run, f"Утверждён {run.list_name} (ШНОР/ШНСУ)" if run else "",
         "Посмотрите, каким школам нужна поддержка: организация может стать куратором по договору о сотрудничестве.",
         9, False),
        ("expert", kinds.REVIEW_ASSIGNED, evidence,
         f"Вам поручена экспертиза «{evidence.step.name}»: программа «{evidence.programme.title}»" if evidence else "",
         "Изучите подтверждающие документы этапа, отметьте критерии чек-листа и дайте заключение.", 2, False),
    ]
